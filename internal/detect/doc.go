// Package detect groups Vigil's detection engines: rule formats and their compiler (rule),
// alerts and their sink (alert), and, later, the scheduler and the stream engine.
package detect
