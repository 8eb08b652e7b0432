package store

import (
	"encoding/json"
	"fmt"
)

// ProfileField is one name/value pair of a profile (Mastodon's
// fields_attributes), as its owner typed it.
type ProfileField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// EncodeProfileFields is the accounts.fields column for fs: a JSON array,
// "[]" for none. Both backends store it as text.
func EncodeProfileFields(fs []ProfileField) string {
	if len(fs) == 0 {
		return "[]"
	}
	b, err := json.Marshal(fs)
	if err != nil { // strings only: cannot happen
		panic("store: encode profile fields: " + err.Error())
	}
	return string(b)
}

// DecodeProfileFields reads the accounts.fields column into *fs (nil for
// none).
func DecodeProfileFields(col string, fs *[]ProfileField) error {
	*fs = nil
	if col == "" || col == "[]" {
		return nil
	}
	if err := json.Unmarshal([]byte(col), fs); err != nil {
		return fmt.Errorf("profile fields: %w", err)
	}
	return nil
}
