// Command gen_gotypes writes the Go types of the served kinds as JSON: for each type the
// name encoding/json prints in its errors ("v1.RestartPolicy", "[]v1.Container",
// "map[string]string"), its shape (struct, slice, map, string, int, ...), and for structs
// their JSON fields (embedded structs flattened, as encoding/json decodes them).
//
// mlkube.api.gojson reads the result (src/mlkube/api/gojson/gotypes.json) to answer a body
// whose values have the wrong JSON type exactly as kube-apiserver does:
//
//	json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string
//
// It also records, per struct, what encoding/json writes for the struct's zero value
// ("zeros": reportingComponent "", daemonEndpoints {"kubeletEndpoint": {"Port": 0}},
// lastProbeTime null) and which scalars omitempty leaves out when zero ("empties"), so that
// mlkube stores an object as kube-apiserver, which encodes it from these structs, does.
//
// Run: cd tools/gen_gotypes && GOFLAGS=-mod=mod GOPROXY=off go run . > ../../src/mlkube/api/gojson/gotypes.json
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	eventsv1 "k8s.io/api/events/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type entry struct {
	Go     string            `json:"go"`
	Shape  string            `json:"shape"`
	Bits   int               `json:"bits,omitempty"`
	Elem   string            `json:"elem,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
	// Proto: a struct's protobuf field numbers (k8s.io/api generated.proto, read from the
	// fields' protobuf tags) -> the JSON field, its type, and how Go's JSON encoding
	// writes it ("omitempty", "pointer"; "inline" for an embedded struct whose fields JSON
	// flattens into this one).
	Proto map[int]*protoField `json:"proto,omitempty"`
	// Zeros: what Go's JSON encoding writes for each field of the struct's zero value: the
	// fields neither omitempty nor omitzero drops (a string without omitempty as "", a
	// struct value as its own zero, a metav1.Time as null, a nil slice as null), keyed by
	// JSON name. kube-apiserver encodes every stored object from Go structs, so an object
	// has each of these wherever the struct is present.
	Zeros map[string]json.RawMessage `json:"zeros,omitempty"`
	// Empties: the struct's non-pointer string, bool and number fields with omitempty,
	// which Go's encoding leaves out when they hold their zero value ("", false, 0).
	Empties []string `json:"empties,omitempty"`
}

type protoField struct {
	JSON      string `json:"json,omitempty"`
	Type      string `json:"type"`
	OmitEmpty bool   `json:"omitempty,omitempty"`
	Pointer   bool   `json:"pointer,omitempty"`
	Inline    bool   `json:"inline,omitempty"`
}

var unmarshaler = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

// custom types decode themselves; their shape says how (see gojson.py).
var custom = map[string]string{
	"k8s.io/apimachinery/pkg/api/resource.Quantity":              "quantity",
	"k8s.io/apimachinery/pkg/util/intstr.IntOrString":            "intorstring",
	"k8s.io/apimachinery/pkg/apis/meta/v1.Time":                  "time",
	"k8s.io/apimachinery/pkg/apis/meta/v1.MicroTime":             "time",
	"k8s.io/apimachinery/pkg/apis/meta/v1.Duration":              "time",
	"k8s.io/apimachinery/pkg/apis/meta/v1.FieldsV1":              "any",
	"k8s.io/apimachinery/pkg/runtime.RawExtension":               "any",
	"k8s.io/apimachinery/pkg/apis/meta/v1.LabelSelectorOperator": "string",
}

type gen struct{ types map[string]*entry }

func key(t reflect.Type) string {
	switch {
	case t.Kind() == reflect.Pointer:
		return key(t.Elem())
	case t.Name() != "" && t.PkgPath() != "":
		return t.PkgPath() + "." + t.Name()
	case t.Kind() == reflect.Slice:
		return "[]" + key(t.Elem())
	case t.Kind() == reflect.Map:
		return "map[" + key(t.Key()) + "]" + key(t.Elem())
	}
	return t.String()
}

func (g *gen) add(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	k := key(t)
	if _, ok := g.types[k]; ok {
		return k
	}
	e := &entry{Go: t.String()}
	g.types[k] = e
	if shape, ok := custom[k]; ok {
		e.Shape = shape
		return k
	}
	if reflect.PointerTo(t).Implements(unmarshaler) {
		fmt.Fprintf(os.Stderr, "unhandled json.Unmarshaler: %s\n", k)
		e.Shape = "any"
		return k
	}
	switch t.Kind() {
	case reflect.String:
		e.Shape = "string"
	case reflect.Bool:
		e.Shape = "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.Shape, e.Bits = "int", t.Bits()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.Shape, e.Bits = "uint", t.Bits()
	case reflect.Float32, reflect.Float64:
		e.Shape, e.Bits = "float", t.Bits()
	case reflect.Interface:
		e.Shape = "any"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			e.Shape = "bytes" // base64 text
			return k
		}
		e.Shape, e.Elem = "slice", g.add(t.Elem())
	case reflect.Map:
		e.Shape, e.Elem = "map", g.add(t.Elem())
	case reflect.Struct:
		e.Shape, e.Fields, e.Proto = "struct", map[string]string{}, map[int]*protoField{}
		g.fields(t, e.Fields)
		g.proto(t, e.Proto)
		e.Zeros = zeros(t)
		e.Empties = empties(t)
	default:
		panic("unexpected kind " + t.String())
	}
	return k
}

// fields: the struct's JSON fields, embedded structs flattened (outer fields win).
func (g *gen) fields(t reflect.Type, out map[string]string) {
	var embedded []reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				embedded = append(embedded, ft)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = g.add(f.Type)
	}
	for _, et := range embedded {
		inner := map[string]string{}
		g.fields(et, inner)
		for n, v := range inner {
			if _, taken := out[n]; !taken {
				out[n] = v
			}
		}
	}
}

// zeros: the fields encoding/json writes for t's zero value and what it writes for them
// (the encoder decides, so omitempty and omitzero are honoured exactly as they are).
func zeros(t reflect.Type) map[string]json.RawMessage {
	raw, err := json.Marshal(reflect.Zero(t).Interface())
	if err != nil {
		panic(err)
	}
	var zero map[string]json.RawMessage
	if err := json.Unmarshal(raw, &zero); err != nil {
		panic(err)
	}
	if len(zero) == 0 {
		return nil
	}
	return zero
}

// empties: the JSON names of t's scalar fields that omitempty drops when zero, embedded
// structs flattened as in fields (outer fields win).
func empties(t reflect.Type) []string {
	found := map[string]bool{}
	emptiesOf(t, found)
	var out []string
	for name, dropped := range found {
		if dropped {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func emptiesOf(t reflect.Type, out map[string]bool) {
	var embedded []reflect.Type
	seen := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			embedded = append(embedded, f.Type)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		seen[name] = true
		scalar := false
		switch f.Type.Kind() {
		case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16,
			reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16,
			reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
			_, custom := f.Type.MethodByName("MarshalJSON")
			scalar = !custom
		}
		omitempty := false
		for _, opt := range strings.Split(opts, ",") {
			omitempty = omitempty || opt == "omitempty"
		}
		out[name] = scalar && omitempty
	}
	for _, et := range embedded {
		inner := map[string]bool{}
		emptiesOf(et, inner)
		for n, v := range inner {
			if !seen[n] {
				out[n] = v
			}
		}
	}
}

// proto: the struct's own protobuf fields (embedded structs with a protobuf tag are one
// nested message; those without one, like TypeMeta, are not on the wire).
func (g *gen) proto(t reflect.Type, out map[int]*protoField) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("protobuf")
		if tag == "" {
			continue
		}
		parts := strings.Split(tag, ",")
		var number int
		if _, err := fmt.Sscanf(parts[1], "%d", &number); err != nil {
			panic(err)
		}
		jsonTag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(jsonTag, ",")
		pf := &protoField{
			Type:      g.add(f.Type),
			Pointer:   f.Type.Kind() == reflect.Pointer,
			OmitEmpty: strings.Contains(opts, "omitempty"),
		}
		if f.Anonymous && name == "" {
			pf.Inline = true
		} else {
			if name == "" {
				name = f.Name
			}
			pf.JSON = name
		}
		out[number] = pf
	}
}

func main() {
	roots := map[string]any{
		"v1/Binding": corev1.Binding{}, "v1/ConfigMap": corev1.ConfigMap{},
		"v1/Endpoints": corev1.Endpoints{}, "v1/Event": corev1.Event{},
		"v1/LimitRange": corev1.LimitRange{}, "v1/Namespace": corev1.Namespace{},
		"v1/Node": corev1.Node{}, "v1/PersistentVolume": corev1.PersistentVolume{},
		"v1/PersistentVolumeClaim": corev1.PersistentVolumeClaim{}, "v1/Pod": corev1.Pod{},
		"v1/ResourceQuota": corev1.ResourceQuota{}, "v1/Secret": corev1.Secret{},
		"v1/Service": corev1.Service{}, "v1/ServiceAccount": corev1.ServiceAccount{},
		"apps/v1/Deployment": appsv1.Deployment{}, "apps/v1/ReplicaSet": appsv1.ReplicaSet{},
		"apps/v1/StatefulSet": appsv1.StatefulSet{},
		"batch/v1/CronJob":    batchv1.CronJob{}, "batch/v1/Job": batchv1.Job{},
		"coordination.k8s.io/v1/Lease":                    coordinationv1.Lease{},
		"discovery.k8s.io/v1/EndpointSlice":               discoveryv1.EndpointSlice{},
		"events.k8s.io/v1/Event":                          eventsv1.Event{},
		"policy/v1/PodDisruptionBudget":                   policyv1.PodDisruptionBudget{},
		"policy/v1/Eviction":                              policyv1.Eviction{},
		"rbac.authorization.k8s.io/v1/ClusterRole":        rbacv1.ClusterRole{},
		"rbac.authorization.k8s.io/v1/ClusterRoleBinding": rbacv1.ClusterRoleBinding{},
		"rbac.authorization.k8s.io/v1/Role":               rbacv1.Role{},
		"rbac.authorization.k8s.io/v1/RoleBinding":        rbacv1.RoleBinding{},
		"scheduling.k8s.io/v1/PriorityClass":              schedulingv1.PriorityClass{},
		"storage.k8s.io/v1/StorageClass":                  storagev1.StorageClass{},
		"meta/v1/DeleteOptions":                           metav1.DeleteOptions{},
		"autoscaling/v1/Scale":                            autoscalingv1.Scale{}, // the scale subresource
	}
	g := &gen{types: map[string]*entry{}}
	kinds := map[string]string{}
	names := make([]string, 0, len(roots))
	for n := range roots {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		kinds[n] = g.add(reflect.TypeOf(roots[n]))
	}
	out := map[string]any{"kinds": kinds, "types": g.types}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
