package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/incident"
)

// EventFeed is the live feed of incident and alert changes (incident.Service).
type EventFeed interface {
	Subscribe(tenant string, after uint64) (backlog []incident.Event, events <-chan incident.Event, cancel func(), complete bool)
}

// heartbeatEvery is how often an idle event stream sends a comment line, so that proxies
// keep it open and clients notice a dead connection.
const heartbeatEvery = 15 * time.Second

// events is GET /api/v1/security/events: server-sent events of the tenant's incident and
// alert changes. Each event's id is its feed position; a client reconnecting with
// Last-Event-ID (or ?lastEventId=) gets the changes it missed while they are still in the
// feed's ring (incident.DefaultFeedSize per tenant), else a "reset" event telling it to
// reload. The event name is the change kind (incidentCreated, incidentUpdated,
// incidentMerged, commentAdded, alertCreated, alertUpdated).
func (s *Server) events(feed EventFeed) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant, _ := tenantOf(r)
		fl, ok := w.(http.Flusher)
		if !ok {
			writeError(w, s.d.Log, fmt.Errorf("response writer cannot stream"))
			return
		}
		last := r.Header.Get("Last-Event-ID")
		if last == "" {
			last = r.URL.Query().Get("lastEventId")
		}
		var after uint64
		if last != "" {
			var err error
			if after, err = strconv.ParseUint(last, 10, 64); err != nil {
				writeError(w, s.d.Log, badRequest("Last-Event-ID %q is not an event id of this feed", last))
				return
			}
		}
		backlog, ch, cancel, complete := feed.Subscribe(tenant, after)
		defer cancel()
		h := w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no")
		w.WriteHeader(http.StatusOK)
		fmt.Fprintf(w, "retry: 3000\n\n")
		if last != "" && !complete {
			fmt.Fprintf(w, "event: reset\ndata: {\"reason\":\"events after %d are no longer kept; reload\"}\n\n", after)
		}
		if last == "" {
			backlog = nil // a new client starts from now
		}
		for _, ev := range backlog {
			writeEvent(w, ev)
		}
		fl.Flush()
		s.streamEvents(w, fl, r, ch)
	})
}

func (s *Server) streamEvents(w http.ResponseWriter, fl http.Flusher, r *http.Request, ch <-chan incident.Event) {
	tick := time.NewTicker(heartbeatEvery)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-ch:
			if !ok {
				return // too slow: the client resumes with Last-Event-ID
			}
			writeEvent(w, ev)
		case <-tick.C:
			fmt.Fprintf(w, ": heartbeat\n\n")
		}
		fl.Flush()
	}
}

func writeEvent(w http.ResponseWriter, ev incident.Event) {
	data, _ := json.Marshal(ev)
	fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", ev.ID, ev.Kind, data)
}
