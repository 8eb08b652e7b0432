package store

import (
	"fmt"
	"strings"
)

// AccountUpdates maps each column UpdateAccount may set to a's value for
// it; the counts are the store's own and are not among them.
func AccountUpdates(a *Account) map[string]any {
	return map[string]any{
		"display_name": a.DisplayName, "note": a.Note, "locked": a.Locked,
		"bot": a.Bot, "discoverable": a.Discoverable, "password_hash": a.PasswordHash,
		"avatar_key": a.AvatarKey, "header_key": a.HeaderKey, "fields": EncodeProfileFields(a.Fields),
	}
}

// FollowUpdates maps each column UpdateFollow may set to f's value for it.
func FollowUpdates(f *Follow) map[string]any {
	return map[string]any{"show_reblogs": f.ShowReblogs, "notify": f.Notify}
}

// SetClause is the SET list of an UPDATE of columns ("a = ?, b = ?" or
// "a = $2, b = $3"): each column's value is taken from values (AccountUpdates,
// FollowUpdates) and appended to args, its placeholder numbered after those
// already there. A column values lacks is an error, so a bad update fails
// before any write.
func SetClause(values map[string]any, columns []string, args []any, ph Placeholder) (string, []any, error) {
	parts := make([]string, 0, len(columns))
	for _, c := range columns {
		v, ok := values[c]
		if !ok {
			return "", nil, fmt.Errorf("column %q cannot be updated", c)
		}
		args = append(args, v)
		parts = append(parts, c+" = "+ph(len(args)))
	}
	return strings.Join(parts, ", "), args, nil
}

// Qualify prefixes each column of a comma-separated list with alias, for
// joins: Qualify("s", "id, text") is "s.id, s.text".
func Qualify(alias, columns string) string {
	cols := strings.Split(strings.Join(strings.Fields(columns), ""), ",")
	for i, c := range cols {
		cols[i] = alias + "." + c
	}
	return strings.Join(cols, ", ")
}

// MediaUpdates maps each column UpdateMediaAttachment may set to m's value.
func MediaUpdates(m *MediaAttachment) map[string]any {
	return map[string]any{"description": m.Description, "focus_x": m.FocusX, "focus_y": m.FocusY}
}
