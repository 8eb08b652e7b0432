package mastodon

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
)

// maxMultipartMemory bounds what multipart parsing keeps in memory; the body
// itself is already limited by the server's body-size middleware.
const maxMultipartMemory = 1 << 20

// decodeParams fills dst, a pointer to a struct whose fields carry `param`
// tags, from the query string and the request body. Mastodon clients send
// parameters as JSON, as a form or as multipart, so all three are accepted
// and funnelled into one representation (url.Values) before assignment, so
// each field is parsed by one rule whatever the encoding.
//
// Supported field kinds: string, bool, *bool, int, []string. Array
// parameters use Rails' "name[]" form in forms and query strings.
func decodeParams(r *http.Request, dst any) error {
	vals, err := requestValues(r)
	if err != nil {
		return err
	}
	return assign(vals, dst)
}

func requestValues(r *http.Request) (url.Values, error) {
	vals := url.Values{}
	for k, v := range r.URL.Query() {
		vals[strings.TrimSuffix(k, "[]")] = v
	}
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return vals, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var body map[string]any
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			if errors.Is(err, io.EOF) {
				// An empty body is no parameters, as in Rails: masto.js (Elk)
				// sends Content-Type: application/json with no body on follow.
				return vals, nil
			}
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, err
			}
			return nil, badRequest("Malformed JSON body: " + err.Error())
		}
		for k, v := range body {
			if err := flattenJSON(vals, k, v, 0); err != nil {
				return nil, badRequest(fmt.Sprintf("Parameter %s: %v", k, err))
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxMultipartMemory); err != nil {
			return nil, formError(err)
		}
		mergeForm(vals, r.PostForm)
	default: // application/x-www-form-urlencoded, or no body at all
		if err := r.ParseForm(); err != nil {
			return nil, formError(err)
		}
		mergeForm(vals, r.PostForm)
	}
	return vals, nil
}

func formError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return err
	}
	return badRequest("Malformed form body: " + err.Error())
}

func mergeForm(dst, src url.Values) {
	for k, v := range src {
		dst[strings.TrimSuffix(k, "[]")] = v
	}
}

// maxJSONDepth bounds nested objects in a JSON body; Mastodon's deepest
// parameters are two levels down (home[last_read_id], poll[options]).
const maxJSONDepth = 2

// flattenJSON adds one JSON value to vals under key; an object's members
// become Rails' bracketed keys (home.last_read_id is home[last_read_id]),
// the names a form would use, so one rule reads a parameter whatever the
// encoding.
func flattenJSON(vals url.Values, key string, v any, depth int) error {
	if obj, ok := v.(map[string]any); ok {
		if depth >= maxJSONDepth {
			return errors.New("objects are nested too deeply")
		}
		for k, e := range obj {
			if err := flattenJSON(vals, key+"["+k+"]", e, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	strs, err := jsonStrings(v)
	if err != nil {
		return err
	}
	if strs != nil {
		vals[key] = strs
	}
	return nil
}

// jsonStrings flattens one JSON value into parameter strings; nil means the
// parameter is absent (JSON null).
func jsonStrings(v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{x}, nil
	case bool:
		return []string{strconv.FormatBool(x)}, nil
	case json.Number:
		return []string{x.String()}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if _, nested := e.([]any); nested {
				// [[1]] would otherwise flatten to "1" below.
				return nil, errors.New("array elements must be strings, numbers or booleans")
			}
			s, err := jsonStrings(e)
			if err != nil || len(s) != 1 {
				return nil, errors.New("array elements must be strings, numbers or booleans")
			}
			out = append(out, s[0])
		}
		return out, nil
	default:
		return nil, errors.New("objects are not accepted here")
	}
}

func assign(vals url.Values, dst any) error {
	rv := reflect.ValueOf(dst).Elem()
	rt := rv.Type()
	for i := range rt.NumField() {
		name := rt.Field(i).Tag.Get("param")
		if name != "" && hasSubKeys(vals, name) {
			// An object where a value belongs (name[first]=a for name):
			// refused, not read as "name absent".
			return badRequest(fmt.Sprintf("Parameter %s: objects are not accepted here", name))
		}
		vs, ok := vals[name]
		if name == "" || !ok || len(vs) == 0 {
			continue
		}
		f := rv.Field(i)
		switch f.Interface().(type) {
		case string:
			f.SetString(vs[0])
		case []string:
			f.Set(reflect.ValueOf(vs))
		case bool, *bool:
			b, err := parseBool(vs[0])
			if err != nil {
				return &requestError{status: http.StatusUnprocessableEntity, msg: fmt.Sprintf("Validation failed: %s must be a boolean", name)}
			}
			if f.Kind() == reflect.Pointer {
				f.Set(reflect.ValueOf(&b))
			} else {
				f.SetBool(b)
			}
		case int:
			n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
			if err != nil {
				return badRequest(fmt.Sprintf("Parameter %s must be an integer", name))
			}
			f.SetInt(int64(n))
		default:
			panic(fmt.Sprintf("decodeParams: unsupported field type %s for %q", f.Type(), name))
		}
	}
	return nil
}

// hasSubKeys reports whether vals has a bracketed key under name
// (name[x]), as a nested object or a Rails form sends.
func hasSubKeys(vals url.Values, name string) bool {
	for k := range vals {
		if strings.HasPrefix(k, name+"[") {
			return true
		}
	}
	return false
}

// parseBool accepts what Rails does for booleans in forms.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "t", "on", "yes":
		return true, nil
	case "0", "false", "f", "off", "no", "":
		return false, nil
	}
	return false, errors.New("not a boolean")
}

// parseID parses a Mastodon ID parameter (decimal digits).
func parseID(name, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest(fmt.Sprintf("Parameter %s must be a numeric ID", name))
	}
	return id, nil
}
