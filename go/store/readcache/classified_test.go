package readcache

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// readPrefixes name the store methods that only read: they pass through
// unless overridden, and need no classification.
var readPrefixes = []string{"Get", "List", "Count", "Search", "Is", "Ping", "Close", "Migrate"}

// TestEveryWriteIsClassified fails when a store method that may write is
// neither overridden by Store (to bump what it changes) nor listed in
// unaffected: a new write (say, suspending an account) must say what it
// invalidates.
func TestEveryWriteIsClassified(t *testing.T) {
	overridden := map[string]bool{}
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || len(fn.Recv.List) != 1 {
				continue
			}
			if star, ok := fn.Recv.List[0].Type.(*ast.StarExpr); ok {
				if id, ok := star.X.(*ast.Ident); ok && id.Name == "Store" {
					overridden[fn.Name.Name] = true
				}
			}
		}
	}
	st := reflect.TypeOf((*store.Store)(nil)).Elem()
	methods := map[string]bool{}
	for i := range st.NumMethod() {
		name := st.Method(i).Name
		methods[name] = true
		read := false
		for _, p := range readPrefixes {
			read = read || strings.HasPrefix(name, p)
		}
		switch _, listed := unaffected[name]; {
		case listed && overridden[name]:
			t.Errorf("%s is both overridden and listed as unaffected", name)
		case !read && !listed && !overridden[name]:
			t.Errorf("store method %s may write: override it in readcache (bumping what it changes) or list it in unaffected with the reason", name)
		}
	}
	for name := range unaffected {
		if !methods[name] {
			t.Errorf("unaffected names %s, which store.Store no longer has", name)
		}
	}
}
