package chdb

// QueryError is an error ClickHouse reported for a statement.
type QueryError struct{ Msg string }

// Error returns ClickHouse's message.
func (e *QueryError) Error() string { return "chdb: " + e.Msg }
