package mastodon

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
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
// Supported field kinds: string, *string (nil when absent), bool, *bool,
// int, []string (non-nil when given, even empty), paramObjects (an array of objects), and notSupported
// (refused when given). Array parameters use Rails' "name[]"
// form in forms and query strings; nested JSON objects become Rails'
// bracketed keys.
//
// Every parameter name and value must be text (see checkText), whatever
// its encoding and whether or not dst reads it: this is the one gate text
// passes on its way to the domain and the store.
func decodeParams(r *http.Request, dst any) error {
	vals, err := requestValues(r)
	if err != nil {
		return err
	}
	return checkAndAssign(vals, dst)
}

// checkAndAssign passes every name and value through checkText, then
// fills dst.
func checkAndAssign(vals url.Values, dst any) error {
	for k, vs := range vals {
		if err := checkText(k); err != nil {
			return invalidText("a parameter name", err)
		}
		for _, v := range vs {
			if err := checkText(v); err != nil {
				return invalidText(paramName(k), err)
			}
		}
	}
	return assign(vals, dst)
}

// decodeUpload reads a multipart/form-data upload: the one file part named
// field, at most maxBytes (422 beyond, as Mastodon answers a file over its
// size limit), and every other parameter into dst under decodeParams'
// rules (see decodeFiles).
func decodeUpload(r *http.Request, field string, maxBytes int64, dst any) ([]byte, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return nil, &requestError{status: http.StatusUnprocessableEntity,
			msg: "Validation failed: " + field + " is required (a multipart/form-data upload)"}
	}
	files, err := decodeFiles(r, []string{field}, maxBytes, dst)
	if err != nil {
		return nil, err
	}
	data, ok := files[field]
	if !ok {
		return nil, &requestError{status: http.StatusUnprocessableEntity, msg: "Validation failed: " + field + " must be one file"}
	}
	return data, nil
}

// decodeFiles reads parameters into dst as decodeParams does and, from a
// multipart/form-data body, the file parts named in fields: at most one
// each, at most maxBytes each (422 beyond); a file part under any other
// name is refused, and so is one of fields sent as text. Parts over
// maxMultipartMemory spill into temporary files, removed before it
// returns.
func decodeFiles(r *http.Request, fields []string, maxBytes int64, dst any) (map[string][]byte, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		vals, err := requestValues(r)
		if err != nil {
			return nil, err
		}
		return nil, checkNoFileAsText(vals, fields, dst)
	}
	if err := r.ParseMultipartForm(maxMultipartMemory); err != nil {
		return nil, bodyError("form", err)
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	parts := maps.Clone(r.MultipartForm.File)
	out := map[string][]byte{}
	for _, field := range fields {
		fhs, ok := parts[field]
		delete(parts, field)
		if !ok {
			continue
		}
		data, err := readFilePart(field, fhs, maxBytes)
		if err != nil {
			return nil, err
		}
		out[field] = data
	}
	if err := refuseFiles(parts); err != nil {
		return nil, err
	}
	vals := trimArrayNames(r.URL.Query())
	mergeForm(vals, r.PostForm)
	return out, checkNoFileAsText(vals, fields, dst)
}

// trimArrayNames files Rails' "name[]" parameters under name.
func trimArrayNames(q url.Values) url.Values {
	vals := make(url.Values, len(q))
	for k, v := range q {
		vals[strings.TrimSuffix(k, "[]")] = v
	}
	return vals
}

// checkNoFileAsText refuses a file parameter sent as text (it would
// otherwise be dropped unread), then checks and assigns the rest.
func checkNoFileAsText(vals url.Values, fields []string, dst any) error {
	for _, field := range fields {
		if _, ok := vals[field]; ok {
			return badRequest("Parameter " + field + " must be a file")
		}
	}
	return checkAndAssign(vals, dst)
}

// readFilePart reads the one file sent as field, at most maxBytes.
func readFilePart(field string, fhs []*multipart.FileHeader, maxBytes int64) ([]byte, error) {
	if len(fhs) != 1 {
		return nil, &requestError{status: http.StatusUnprocessableEntity, msg: "Validation failed: " + field + " must be one file"}
	}
	if fhs[0].Size > maxBytes {
		return nil, &requestError{status: http.StatusUnprocessableEntity,
			msg: fmt.Sprintf("Validation failed: %s file size must be less than %d MB", field, maxBytes>>20)}
	}
	f, err := fhs[0].Open()
	if err != nil {
		return nil, fmt.Errorf("open upload: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	return data, nil
}

// Why a value is not text.
var (
	errNUL     = errors.New("must not contain NUL bytes")
	errNotUTF8 = errors.New("must be valid UTF-8")
)

// checkText reports whether s can be stored and shown as text: valid
// UTF-8 without NUL bytes. PostgreSQL refuses both in a text column (a 500,
// where SQLite stored them as they came), and neither belongs in anything
// a client types. They are refused with a 422, not stripped as Mastodon
// strips NUL, so a value is stored as sent or not at all, on both stores
// alike.
func checkText(s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return errNUL
	}
	if !utf8.ValidString(s) {
		return errNotUTF8
	}
	return nil
}

func invalidText(what string, err error) error {
	return &requestError{status: http.StatusUnprocessableEntity, msg: fmt.Sprintf("Validation failed: %s %v", what, err)}
}

// paramName names a parameter in an error message, unless the name itself
// is too long to echo.
func paramName(k string) string {
	if len(k) > 64 {
		return "a parameter"
	}
	return k
}

// headerText reads a request header that reaches the domain as text, under
// the same rule as parameters.
func headerText(r *http.Request, name string) (string, error) {
	v := r.Header.Get(name)
	if err := checkText(v); err != nil {
		return "", invalidText(name, err)
	}
	return v, nil
}

func requestValues(r *http.Request) (url.Values, error) {
	// Most queries name no array: their parsed map serves as it is.
	vals := r.URL.Query()
	for k := range vals {
		if strings.HasSuffix(k, "[]") {
			vals = trimArrayNames(vals)
			break
		}
	}
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return vals, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, bodyError("JSON", err)
		}
		// encoding/json would quietly turn invalid UTF-8 in a string into
		// U+FFFD; the other encodings keep it and checkText refuses it.
		if !utf8.Valid(raw) {
			return nil, invalidText("the JSON body", errNotUTF8)
		}
		var body map[string]any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			if errors.Is(err, io.EOF) {
				// An empty body is no parameters, as in Rails: masto.js (Elk)
				// sends Content-Type: application/json with no body on follow.
				return vals, nil
			}
			return nil, bodyError("JSON", err)
		}
		for k, v := range body {
			if err := flattenJSON(vals, k, v, 0); err != nil {
				return nil, badRequest(fmt.Sprintf("Parameter %s: %v", k, err))
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxMultipartMemory); err != nil {
			return nil, bodyError("form", err)
		}
		if err := refuseFiles(r.MultipartForm.File); err != nil {
			return nil, err
		}
		mergeForm(vals, r.PostForm)
	default: // application/x-www-form-urlencoded, or no body at all
		if err := r.ParseForm(); err != nil {
			return nil, bodyError("form", err)
		}
		mergeForm(vals, r.PostForm)
	}
	return vals, nil
}

// bodyError is a 400 for a body that could not be read or parsed, or the
// body-size error itself (a 413).
func bodyError(encoding string, err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return err
	}
	return badRequest("Malformed " + encoding + " body: " + err.Error())
}

func mergeForm(dst, src url.Values) {
	for k, v := range src {
		dst[strings.TrimSuffix(k, "[]")] = v
	}
}

// refuseFiles answers a file part with 422 where none is read (every
// endpoint but those using decodeUpload): a file that is parsed and
// dropped would be a success that pretends.
func refuseFiles(files map[string][]*multipart.FileHeader) error {
	if len(files) == 0 {
		return nil
	}
	names := slices.Sorted(maps.Keys(files))
	return &requestError{status: http.StatusUnprocessableEntity,
		msg: fmt.Sprintf("Validation failed: file uploads (%s) are not supported by this server yet", strings.TrimSuffix(names[0], "[]"))}
}

// maxJSONDepth bounds nested objects in a JSON body. Mastodon's deepest
// parameters are two levels down (poll[options], fields_attributes[0][name]).
const maxJSONDepth = 3

// flattenJSON adds one JSON value to vals under key. Objects become Rails'
// bracketed keys (poll.expires_in is poll[expires_in], an array of objects
// element i is key[i][...]), the names a form would use, so one rule reads a
// parameter whatever the encoding.
func flattenJSON(vals url.Values, key string, v any, depth int) error {
	if depth > maxJSONDepth {
		return errors.New("objects are nested too deeply")
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if err := flattenJSON(vals, key+"["+k+"]", e, depth+1); err != nil {
				return err
			}
		}
		return nil
	case []any:
		if slices.ContainsFunc(x, func(e any) bool { _, ok := e.(map[string]any); return ok }) {
			for i, e := range x {
				if err := flattenJSON(vals, key+"["+strconv.Itoa(i)+"]", e, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
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

// notSupported is the type of a field naming a parameter that Mastodon
// documents and Starling does not implement yet. Given with any non-empty
// value, under its name or a bracketed sub-key (poll[options]), it is
// refused with 422: accepting and dropping it would be a success that
// pretends (a scheduled post published at once, a poll posted without its
// options). Empty values (media_ids: [], scheduled_at: "") ask for nothing
// and pass.
type notSupported struct{}

// nonEmpty reports whether any of vs has content.
func nonEmpty(vs []string) bool {
	return slices.ContainsFunc(vs, func(v string) bool { return strings.TrimSpace(v) != "" })
}

// nestedKeys maps every name that has bracketed sub-keys (poll for
// poll[options]; home and home[last_read_id] for home[last_read_id][x]) to
// whether any of its sub-keys has a non-empty value.
func nestedKeys(vals url.Values) map[string]bool {
	out := map[string]bool{}
	for k, vs := range vals {
		for i := strings.IndexByte(k, '['); i > 0; {
			out[k[:i]] = out[k[:i]] || nonEmpty(vs)
			next := strings.IndexByte(k[i+1:], '[')
			if next < 0 {
				break
			}
			i += 1 + next
		}
	}
	return out
}

// The field types assign fills, compared by type: asking each field's
// value for its type (f.Interface()) boxed it, a few allocations per
// parameter of every request.
var (
	notSupportedType = reflect.TypeFor[notSupported]()
	paramObjectsType = reflect.TypeFor[paramObjects]()
	stringType       = reflect.TypeFor[string]()
	stringPtrType    = reflect.TypeFor[*string]()
	stringsType      = reflect.TypeFor[[]string]()
	boolType         = reflect.TypeFor[bool]()
	boolPtrType      = reflect.TypeFor[*bool]()
	intType          = reflect.TypeFor[int]()
)

func assign(vals url.Values, dst any) error {
	rv := reflect.ValueOf(dst).Elem()
	rt := rv.Type()
	nested := nestedKeys(vals)
	for i := range rt.NumField() {
		name := rt.Field(i).Tag.Get("param")
		f := rv.Field(i)
		if name == "" {
			continue
		}
		if f.Type() == notSupportedType {
			if nested[name] || nonEmpty(vals[name]) {
				return &requestError{status: http.StatusUnprocessableEntity,
					msg: fmt.Sprintf("Validation failed: %s is not supported by this server yet", name)}
			}
			continue
		}
		if f.Type() == paramObjectsType {
			objs, err := objectsParam(vals, name)
			if err != nil {
				return err
			}
			f.Set(reflect.ValueOf(objs))
			continue
		}
		if _, ok := nested[name]; ok {
			// An object where a value belongs (name[first]=a for name):
			// refused, not read as "name absent".
			return badRequest(fmt.Sprintf("Parameter %s: objects are not accepted here", name))
		}
		vs, ok := vals[name]
		if !ok {
			continue
		}
		if len(vs) == 0 {
			if f.Type() == stringsType {
				// An empty JSON array is given, not absent: an edit's
				// media_ids: [] removes the attachments.
				f.Set(reflect.ValueOf([]string{}))
			}
			continue
		}
		switch f.Type() {
		case stringType:
			f.SetString(vs[0])
		case stringPtrType:
			v := vs[0]
			f.Set(reflect.ValueOf(&v))
		case stringsType:
			f.Set(reflect.ValueOf(vs))
		case boolType, boolPtrType:
			b, err := parseBool(vs[0])
			if err != nil {
				return &requestError{status: http.StatusUnprocessableEntity, msg: fmt.Sprintf("Validation failed: %s must be a boolean", name)}
			}
			if f.Kind() == reflect.Pointer {
				f.Set(reflect.ValueOf(&b))
			} else {
				f.SetBool(b)
			}
		case intType:
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

// paramObjects is the type of a field naming an array of objects, Rails'
// nested attributes (keywords_attributes[][keyword]=a, or [0][keyword]=a,
// or a JSON array of objects): one map of field to value per object, in
// index order.
type paramObjects []map[string]string

// maxParamObjects bounds the objects of one array parameter.
const maxParamObjects = 100

// objectsParam collects name's objects from vals. Objects indexed with
// "[]" are told apart by position: the i-th value of each field belongs to
// the i-th object, as clients send them.
func objectsParam(vals url.Values, name string) (paramObjects, error) {
	if nonEmpty(vals[name]) {
		return nil, badRequest(fmt.Sprintf("Parameter %s must be an array of objects", name))
	}
	byIndex := map[string]map[string]string{}
	for k, vs := range vals {
		rest, ok := strings.CutPrefix(k, name+"[")
		if !ok {
			continue
		}
		index, field, ok := strings.Cut(rest, "][")
		field, closed := strings.CutSuffix(field, "]")
		if !ok || !closed || field == "" || strings.ContainsAny(field, "[]") {
			return nil, badRequest(fmt.Sprintf("Parameter %s must be an array of objects", name))
		}
		for i, v := range vs {
			key := index
			if index == "" {
				key = "[]" + strconv.Itoa(i)
			} else if i > 0 {
				break
			}
			if byIndex[key] == nil {
				if len(byIndex) == maxParamObjects {
					return nil, &requestError{status: http.StatusUnprocessableEntity,
						msg: fmt.Sprintf("Validation failed: %s holds more than %d objects", name, maxParamObjects)}
				}
				byIndex[key] = map[string]string{}
			}
			byIndex[key][field] = v
		}
	}
	keys := slices.SortedFunc(maps.Keys(byIndex), compareIndex)
	out := make(paramObjects, len(keys))
	for i, k := range keys {
		out[i] = byIndex[k]
	}
	return out, nil
}

// compareIndex orders object indexes: numbers numerically, then the rest
// ("[]0", "[]1", ...) by position, then as text.
func compareIndex(a, b string) int {
	na, errA := strconv.Atoi(strings.TrimPrefix(a, "[]"))
	nb, errB := strconv.Atoi(strings.TrimPrefix(b, "[]"))
	if errA == nil && errB == nil && strings.HasPrefix(a, "[]") == strings.HasPrefix(b, "[]") {
		return na - nb
	}
	return strings.Compare(a, b)
}
