package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// Accounts are the moderators' account actions (package social).
type Accounts interface {
	AdminAccounts(ctx context.Context, q social.AdminAccountQuery) ([]*store.Account, error)
	AdminAccount(ctx context.Context, id int64) (*store.Account, error)
	AdminAccountAction(ctx context.Context, actor string, id int64, in social.AccountActionInput) (*store.Account, error)
	AdminUnsuspend(ctx context.Context, actor string, id int64) (*store.Account, error)
	AdminUnsilence(ctx context.Context, actor string, id int64) (*store.Account, error)
}

// AccountRenderer renders Mastodon's Account entity (package
// api/mastodon's Handler), embedded in Admin::Account as Mastodon does.
type AccountRenderer interface {
	AccountEntity(a *store.Account) any
}

// ActorHeader names the caller of an action in the audit log (the "who";
// `starling admin` sends the operator's user name). Only the admin token's
// holder can send it, so it records who the holder says it is. Without
// it, the entry says DefaultActor.
const ActorHeader = "X-Starling-Actor"

// DefaultActor is the audit log's "who" of a request without ActorHeader.
const DefaultActor = "admin-token"

// actor is the request's ActorHeader, or DefaultActor; social checks it.
func actor(r *http.Request) string {
	if a := r.Header.Get(ActorHeader); a != "" {
		return a
	}
	return DefaultActor
}

// AdminAccount is Mastodon's Admin::Account entity, with what Starling
// knows: every account is local (domain null), approved and confirmed
// (there is no approval queue nor e-mail), none has the staff role (the
// admin token is the only moderator), and no e-mail address or IP is
// stored, so email is "" and ips is empty.
type AdminAccount struct {
	ID            string     `json:"id"`
	Username      string     `json:"username"`
	Domain        *string    `json:"domain"`
	CreatedAt     string     `json:"created_at"`
	Email         string     `json:"email"`
	IP            *string    `json:"ip"`
	IPs           []struct{} `json:"ips"`
	Locale        string     `json:"locale"`
	InviteRequest *string    `json:"invite_request"`
	Role          Role       `json:"role"`
	Confirmed     bool       `json:"confirmed"`
	Approved      bool       `json:"approved"`
	Disabled      bool       `json:"disabled"`
	Silenced      bool       `json:"silenced"`
	Suspended     bool       `json:"suspended"`
	Sensitized    bool       `json:"sensitized"`
	Account       any        `json:"account"`
}

// Role is Mastodon's Role entity; every account has the base role.
type Role struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Color       string `json:"color"`
	Permissions string `json:"permissions"`
	Highlighted bool   `json:"highlighted"`
}

// everyoneRole is Mastodon's base role (id -99): no permissions.
var everyoneRole = Role{ID: "-99", Permissions: "0"}

func adminAccountOf(r AccountRenderer, a *store.Account) AdminAccount {
	return AdminAccount{ID: id(a.ID), Username: a.Username, CreatedAt: a.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
		IPs: []struct{}{}, Role: everyoneRole, Confirmed: true, Approved: true,
		Silenced: a.SilencedAt != nil, Suspended: a.SuspendedAt != nil, Account: r.AccountEntity(a)}
}

// Mastodon's v1 limits for GET /api/v1/admin/accounts.
const (
	defaultAccountsLimit = 100
	maxAccountsLimit     = 200
)

// accountFilters are GET /api/v1/admin/accounts's boolean filters served,
// with what each sets; username and display_name are text.
var accountFilters = map[string]func(q *social.AdminAccountQuery, on bool){
	"local":     func(q *social.AdminAccountQuery, on bool) { q.Remote = q.Remote || !on }, // every account is local
	"remote":    func(q *social.AdminAccountQuery, on bool) { q.Remote = q.Remote || on },
	"active":    func(q *social.AdminAccountQuery, on bool) { q.Active = on },
	"suspended": func(q *social.AdminAccountQuery, on bool) { q.Suspended = on },
	"silenced":  func(q *social.AdminAccountQuery, on bool) { q.Silenced = on },
	"staff":     func(q *social.AdminAccountQuery, on bool) { q.Staff = on },
}

// unservedAccountFilters are Mastodon's filters Starling cannot honour:
// refused by name rather than ignored.
var unservedAccountFilters = []string{"by_domain", "pending", "disabled", "sensitized", "email", "ip"}

// parseAccountQuery reads GET /api/v1/admin/accounts's parameters. A
// filter Starling does not serve is refused (422), as is any parameter it
// does not know or one given twice; a malformed value is 400.
func parseAccountQuery(v url.Values) (social.AdminAccountQuery, int, string) {
	q := social.AdminAccountQuery{Page: store.Page{Limit: defaultAccountsLimit}}
	for name, vals := range v {
		if len(vals) != 1 {
			return q, http.StatusUnprocessableEntity, name + " is given more than once"
		}
		val := vals[0]
		switch {
		case accountFilters[name] != nil:
			on, err := strconv.ParseBool(val)
			if err != nil {
				return q, http.StatusBadRequest, name + " must be true or false"
			}
			accountFilters[name](&q, on)
		case name == "username":
			q.Username = val
		case name == "display_name":
			q.DisplayName = val
		case name == "limit":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > maxAccountsLimit {
				return q, http.StatusBadRequest, fmt.Sprintf("limit must be an integer from 1 to %d", maxAccountsLimit)
			}
			q.Page.Limit = n
		case name == "max_id" || name == "since_id" || name == "min_id":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil || n <= 0 {
				return q, http.StatusBadRequest, name + " must be a positive integer"
			}
			*map[string]*int64{"max_id": &q.Page.MaxID, "since_id": &q.Page.SinceID, "min_id": &q.Page.MinID}[name] = n
		case slices.Contains(unservedAccountFilters, name):
			return q, http.StatusUnprocessableEntity, name + " is not supported: Starling does not keep what it filters by"
		default:
			return q, http.StatusUnprocessableEntity, name + " is not a parameter of GET /api/v1/admin/accounts"
		}
	}
	return q, 0, ""
}

// listAccounts answers GET /api/v1/admin/accounts (Mastodon's v1 filters
// that can be honoured), newest first, with Link headers to page on.
func listAccounts(m Accounts, ar AccountRenderer) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if m == nil {
			writeJSON(w, http.StatusNotFound, errorBody{"no accounts"})
			return
		}
		q, status, bad := parseAccountQuery(r.URL.Query())
		if bad != "" {
			writeJSON(w, status, errorBody{bad})
			return
		}
		as, err := m.AdminAccounts(r.Context(), q)
		if err != nil {
			writeDomainError(w, err)
			return
		}
		out := make([]AdminAccount, len(as))
		for i, a := range as {
			out[i] = adminAccountOf(ar, a)
		}
		if len(as) > 0 {
			w.Header().Set("Link", pageLinks(r, as[0].ID, as[len(as)-1].ID))
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// pageLinks is the Link header of a page of rows newest..oldest: next
// (older) and prev (newer), keeping the request's other parameters.
func pageLinks(r *http.Request, newest, oldest int64) string {
	link := func(param string, v int64) string {
		q := r.URL.Query()
		for _, p := range []string{"max_id", "since_id", "min_id"} {
			q.Del(p)
		}
		q.Set(param, id(v))
		return "<http://" + r.Host + r.URL.Path + "?" + q.Encode() + ">"
	}
	return link("max_id", oldest) + `; rel="next", ` + link("min_id", newest) + `; rel="prev"`
}

// getAccount answers GET /api/v1/admin/accounts/{id}.
func getAccount(m Accounts, ar AccountRenderer) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, ok := pathID(w, r, m != nil)
		if !ok {
			return
		}
		a, err := m.AdminAccount(r.Context(), n)
		if err != nil {
			writeDomainError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, adminAccountOf(ar, a))
	}
}

// actionRequest is POST /api/v1/admin/accounts/{id}/action's body, as
// JSON or a form. report_id may be a string (Mastodon's IDs) or a number.
type actionRequest struct {
	Type                  string          `json:"type"`
	ReportID              json.RawMessage `json:"report_id"`
	Text                  string          `json:"text"`
	WarningPresetID       json.RawMessage `json:"warning_preset_id"`
	SendEmailNotification *bool           `json:"send_email_notification"`
}

// actionFormFields are the fields a form-encoded action may have.
var actionFormFields = []string{"type", "report_id", "text", "warning_preset_id", "send_email_notification"}

// decodeAction reads the action's body: JSON or a form, at most
// maxActionBody bytes, no field Mastodon does not define.
func decodeAction(w http.ResponseWriter, r *http.Request) (social.AccountActionInput, int, string) {
	var req actionRequest
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxActionBody))
	if err != nil {
		return social.AccountActionInput{}, http.StatusBadRequest, "body too large"
	}
	// JSON decoding would turn invalid UTF-8 into U+FFFD unseen; refuse it.
	if !utf8.Valid(b) {
		return social.AccountActionInput{}, http.StatusUnprocessableEntity, "the body must be valid UTF-8"
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(b))
		if err != nil {
			return social.AccountActionInput{}, http.StatusBadRequest, "malformed form"
		}
		for k, vs := range form {
			if !slices.Contains(actionFormFields, k) || len(vs) != 1 {
				return social.AccountActionInput{}, http.StatusUnprocessableEntity, k + " is not a field of the action, or is given more than once"
			}
		}
		req.Type, req.Text = form.Get("type"), form.Get("text")
		if v := form.Get("report_id"); v != "" {
			req.ReportID = json.RawMessage(strconv.Quote(v))
		}
		if form.Has("warning_preset_id") {
			req.WarningPresetID = json.RawMessage(`""`)
		}
		if v := form.Get("send_email_notification"); v != "" {
			on, err := strconv.ParseBool(v)
			if err != nil {
				return social.AccountActionInput{}, http.StatusBadRequest, "send_email_notification must be true or false"
			}
			req.SendEmailNotification = &on
		}
	} else {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return social.AccountActionInput{}, http.StatusBadRequest, "want a JSON object {type, report_id, text}: " + err.Error()
		}
	}
	if len(req.WarningPresetID) > 0 && string(req.WarningPresetID) != "null" {
		return social.AccountActionInput{}, http.StatusUnprocessableEntity, "warning_preset_id is not supported: Starling has no warning presets"
	}
	if req.SendEmailNotification != nil && *req.SendEmailNotification {
		return social.AccountActionInput{}, http.StatusUnprocessableEntity, "send_email_notification is not supported: Starling sends no e-mail"
	}
	reportID, err := parseFlexID(req.ReportID)
	if err != nil {
		return social.AccountActionInput{}, http.StatusBadRequest, "report_id must be a positive integer"
	}
	return social.AccountActionInput{Type: req.Type, ReportID: reportID, Text: req.Text}, 0, ""
}

// parseFlexID reads an ID given as a JSON string or number; none is 0.
func parseFlexID(raw json.RawMessage) (int64, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, errors.New("not a positive integer")
	}
	return n, nil
}

// accountAction answers POST /api/v1/admin/accounts/{id}/action (type
// none, silence or suspend; report_id; text): {} as Mastodon answers.
func accountAction(m Accounts) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, ok := pathID(w, r, m != nil)
		if !ok {
			return
		}
		in, status, bad := decodeAction(w, r)
		if bad != "" {
			writeJSON(w, status, errorBody{bad})
			return
		}
		if _, err := m.AdminAccountAction(r.Context(), actor(r), n, in); err != nil {
			writeDomainError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, struct{}{})
	}
}

// liftAction answers POST /api/v1/admin/accounts/{id}/unsuspend and
// /unsilence: the account as it is after.
func liftAction(m Accounts, ar AccountRenderer, lift func(Accounts, context.Context, string, int64) (*store.Account, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, ok := pathID(w, r, m != nil)
		if !ok {
			return
		}
		a, err := lift(m, r.Context(), actor(r), n)
		if err != nil {
			writeDomainError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, adminAccountOf(ar, a))
	}
}
