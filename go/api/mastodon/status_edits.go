package mastodon

import (
	"net/http"
	"strings"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

type editStatusRequest struct {
	Status      string `param:"status"`
	SpoilerText string `param:"spoiler_text"`
	Sensitive   *bool  `param:"sensitive"`
	Language    string `param:"language"`
	// MediaIDs, when given (even empty), replace the attachments.
	MediaIDs        []string     `param:"media_ids"`
	MediaAttributes paramObjects `param:"media_attributes"`
	// Not implemented, so refused when given: an edit must not drop it.
	Poll notSupported `param:"poll"`
}

// mediaAttributes reads an edit's media_attributes: id, description and
// focus of each (a thumbnail is not supported).
func mediaAttributes(objs paramObjects) ([]social.MediaAttribute, error) {
	if len(objs) > social.MaxMediaAttachments {
		return nil, &requestError{status: http.StatusUnprocessableEntity, msg: "Validation failed: too many media_attributes"}
	}
	out := make([]social.MediaAttribute, 0, len(objs))
	for _, o := range objs {
		var a social.MediaAttribute
		for k, v := range o {
			switch k {
			case "id":
				id, err := parseID("media_attributes[][id]", strings.TrimSpace(v))
				if err != nil {
					return nil, err
				}
				a.ID = id
			case "description":
				a.Description = &v
			case "focus":
				a.Focus = &v
			case "thumbnail":
				return nil, &requestError{status: http.StatusUnprocessableEntity,
					msg: "Validation failed: media_attributes[][thumbnail] is not supported by this server yet"}
			default:
				return nil, &requestError{status: http.StatusUnprocessableEntity,
					msg: "Validation failed: media_attributes entries take id, description and focus"}
			}
		}
		if a.ID == 0 {
			return nil, &requestError{status: http.StatusUnprocessableEntity, msg: "Validation failed: media_attributes[][id] is required"}
		}
		out = append(out, a)
	}
	return out, nil
}

// editStatus handles PUT /api/v1/statuses/:id.
func (h *Handler) editStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req editStatusRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	in := social.EditInput{Text: req.Status, SpoilerText: req.SpoilerText, Sensitive: req.Sensitive, Language: req.Language}
	if req.MediaIDs != nil {
		ids, err := parseMediaIDs(req.MediaIDs)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		in.MediaIDs = &ids
	}
	if in.MediaAttributes, err = mediaAttributes(req.MediaAttributes); err != nil {
		h.writeError(w, r, err)
		return
	}
	v := viewer(r.Context())
	st, err := h.svc.EditStatus(r.Context(), v, id, in)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeStatuses(w, r, v, []*store.Status{st}, false)
}

// StatusEdit is Mastodon's StatusEdit entity.
type StatusEdit struct {
	Content          string             `json:"content"`
	SpoilerText      string             `json:"spoiler_text"`
	Sensitive        bool               `json:"sensitive"`
	CreatedAt        string             `json:"created_at"`
	Account          *Account           `json:"account"`
	Poll             *editPoll          `json:"poll"`
	MediaAttachments []*MediaAttachment `json:"media_attachments"`
	Emojis           []struct{}         `json:"emojis"`
}

// editPoll is the poll of a StatusEdit: its options' titles only.
type editPoll struct {
	Options []editPollOption `json:"options"`
}

type editPollOption struct {
	Title string `json:"title"`
}

// statusHistory handles GET /api/v1/statuses/:id/history.
func (h *Handler) statusHistory(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	st, versions, err := h.svc.StatusHistory(r.Context(), viewer(r.Context()), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	authors, err := h.svc.AccountsByIDs(r.Context(), []int64{st.AccountID})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if authors[st.AccountID] == nil {
		notFoundHandler(w, r) // its author vanished
		return
	}
	author := h.account(authors[st.AccountID])
	out := make([]*StatusEdit, len(versions))
	for i, e := range versions {
		out[i] = &StatusEdit{Content: e.Content, SpoilerText: e.SpoilerText, Sensitive: e.Sensitive,
			CreatedAt: formatTime(e.CreatedAt), Account: author,
			MediaAttachments: make([]*MediaAttachment, 0, len(e.Media)), Emojis: []struct{}{}}
		for _, m := range e.Media {
			out[i].MediaAttachments = append(out[i].MediaAttachments, h.mediaAttachment(m))
		}
		if e.PollOptions != nil {
			out[i].Poll = &editPoll{Options: make([]editPollOption, len(e.PollOptions))}
			for j, o := range e.PollOptions {
				out[i].Poll.Options[j].Title = o
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// StatusSource is Mastodon's StatusSource entity.
type StatusSource struct {
	ID          string `json:"id"`
	Text        string `json:"text"`
	SpoilerText string `json:"spoiler_text"`
}

// statusSource handles GET /api/v1/statuses/:id/source.
func (h *Handler) statusSource(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	st, err := h.svc.StatusSource(r.Context(), viewer(r.Context()), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, StatusSource{ID: formatID(st.ID), Text: st.Text, SpoilerText: st.SpoilerText})
}
