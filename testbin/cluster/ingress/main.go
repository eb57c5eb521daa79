// A small Ingress controller for the test cluster (testbin/cluster), standard library only.
//
// Why not an upstream controller: none was found whose Go module builds with `go install` from the module proxy
// this project uses. ingress-nginx needs OpenResty, Contour and Envoy Gateway need Envoy, Traefik needs
// replacements for modules the proxy refuses, and Skipper, the Caddy and HAProxy controllers and NGINX's own are
// not served by it. This one implements what the Gravix charts use: networking.k8s.io/v1 Ingresses of its class
// (or with no class when its IngressClass is the default), rules by exact host, Prefix / Exact /
// ImplementationSpecific (as Prefix) paths, backends by Service port number or name, a default backend, and the
// Ingress status address. Requests go to the Service's ClusterIP, so kube-proxy balances them. No TLS.
//
// It polls the API server every two seconds with its service account token; the routing table is swapped whole.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

const saDir = "/var/run/secrets/kubernetes.io/serviceaccount"

type objectMeta struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace"`
	Annotations map[string]string `json:"annotations"`
}

type serviceBackend struct {
	Name string `json:"name"`
	Port struct {
		Name   string `json:"name"`
		Number int    `json:"number"`
	} `json:"port"`
}

type backend struct {
	Service *serviceBackend `json:"service"`
}

type ingress struct {
	Metadata objectMeta `json:"metadata"`
	Spec     struct {
		IngressClassName *string  `json:"ingressClassName"`
		DefaultBackend   *backend `json:"defaultBackend"`
		Rules            []struct {
			Host string `json:"host"`
			HTTP *struct {
				Paths []struct {
					Path     string  `json:"path"`
					PathType string  `json:"pathType"`
					Backend  backend `json:"backend"`
				} `json:"paths"`
			} `json:"http"`
		} `json:"rules"`
	} `json:"spec"`
	Status struct {
		LoadBalancer struct {
			Ingress []struct {
				IP string `json:"ip"`
			} `json:"ingress"`
		} `json:"loadBalancer"`
	} `json:"status"`
}

type service struct {
	Metadata objectMeta `json:"metadata"`
	Spec     struct {
		ClusterIP string `json:"clusterIP"`
		Ports     []struct {
			Name string `json:"name"`
			Port int    `json:"port"`
		} `json:"ports"`
	} `json:"spec"`
}

type ingressClass struct {
	Metadata objectMeta `json:"metadata"`
	Spec     struct {
		Controller string `json:"controller"`
	} `json:"spec"`
}

type list[T any] struct {
	Items []T `json:"items"`
}

// route is one path rule; host "" matches any host.
type route struct {
	host, path string
	exact      bool
	target     *url.URL
	source     string
}

type table struct{ routes []route }

func (t *table) match(host, path string) *route {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	for i := range t.routes { // sorted: hosts before the catch-all, longer paths first
		r := &t.routes[i]
		if r.host != "" && !strings.EqualFold(r.host, host) {
			continue
		}
		if r.exact && path == r.path {
			return r
		}
		if !r.exact && (r.path == "/" || path == r.path || strings.HasPrefix(path, strings.TrimSuffix(r.path, "/")+"/")) {
			return r
		}
	}
	return nil
}

type apiClient struct {
	base  string
	token string
	http  *http.Client
}

func newAPIClient() (*apiClient, error) {
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return nil, fmt.Errorf("KUBERNETES_SERVICE_HOST/PORT are not set: run me in a pod")
	}
	ca, err := os.ReadFile(saDir + "/ca.crt")
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	return &apiClient{
		base: "https://" + net.JoinHostPort(host, port),
		http: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}},
	}, nil
}

func (c *apiClient) do(ctx context.Context, method, path, contentType string, body []byte, into any) error {
	token, err := os.ReadFile(saDir + "/token") // rotated by the kubelet
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s", method, path, res.Status)
	}
	if into == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(into)
}

type controller struct {
	api        *apiClient
	class      string
	controller string
	address    string
	routes     atomic.Pointer[table]
	lastTable  string
}

// serves reports whether an Ingress belongs to this controller.
func (c *controller) serves(ing *ingress, isDefault bool) bool {
	if ing.Spec.IngressClassName != nil {
		return *ing.Spec.IngressClassName == c.class
	}
	if a, ok := ing.Metadata.Annotations["kubernetes.io/ingress.class"]; ok {
		return a == c.class
	}
	return isDefault
}

func (c *controller) target(services map[string]*service, ns string, b *backend) (*url.URL, error) {
	if b == nil || b.Service == nil {
		return nil, fmt.Errorf("backend is not a Service")
	}
	svc, ok := services[ns+"/"+b.Service.Name]
	if !ok {
		return nil, fmt.Errorf("service %s/%s not found", ns, b.Service.Name)
	}
	if svc.Spec.ClusterIP == "" || svc.Spec.ClusterIP == "None" {
		return nil, fmt.Errorf("service %s/%s has no ClusterIP", ns, b.Service.Name)
	}
	for _, p := range svc.Spec.Ports {
		if (b.Service.Port.Number != 0 && p.Port == b.Service.Port.Number) ||
			(b.Service.Port.Name != "" && p.Name == b.Service.Port.Name) {
			return &url.URL{Scheme: "http", Host: net.JoinHostPort(svc.Spec.ClusterIP, strconv.Itoa(p.Port))}, nil
		}
	}
	return nil, fmt.Errorf("service %s/%s has no port %d%s", ns, b.Service.Name, b.Service.Port.Number, b.Service.Port.Name)
}

func (c *controller) sync(ctx context.Context) error {
	var classes list[ingressClass]
	var ingresses list[ingress]
	var services list[service]
	if err := c.api.do(ctx, "GET", "/apis/networking.k8s.io/v1/ingressclasses", "", nil, &classes); err != nil {
		return err
	}
	if err := c.api.do(ctx, "GET", "/apis/networking.k8s.io/v1/ingresses", "", nil, &ingresses); err != nil {
		return err
	}
	if err := c.api.do(ctx, "GET", "/api/v1/services", "", nil, &services); err != nil {
		return err
	}
	isDefault := false
	for _, ic := range classes.Items {
		if ic.Metadata.Name == c.class && ic.Spec.Controller == c.controller &&
			ic.Metadata.Annotations["ingressclass.kubernetes.io/is-default-class"] == "true" {
			isDefault = true
		}
	}
	byName := map[string]*service{}
	for i := range services.Items {
		s := &services.Items[i]
		byName[s.Metadata.Namespace+"/"+s.Metadata.Name] = s
	}
	var routes []route
	for i := range ingresses.Items {
		ing := &ingresses.Items[i]
		if !c.serves(ing, isDefault) {
			continue
		}
		source := ing.Metadata.Namespace + "/" + ing.Metadata.Name
		if ing.Spec.DefaultBackend != nil {
			if t, err := c.target(byName, ing.Metadata.Namespace, ing.Spec.DefaultBackend); err == nil {
				routes = append(routes, route{path: "/", target: t, source: source})
			} else {
				log.Printf("%s: default backend: %v", source, err)
			}
		}
		for _, rule := range ing.Spec.Rules {
			if rule.HTTP == nil {
				continue
			}
			for _, p := range rule.HTTP.Paths {
				t, err := c.target(byName, ing.Metadata.Namespace, &p.Backend)
				if err != nil {
					log.Printf("%s: %s%s: %v", source, rule.Host, p.Path, err)
					continue
				}
				path := p.Path
				if path == "" {
					path = "/"
				}
				routes = append(routes, route{host: rule.Host, path: path, exact: p.PathType == "Exact", target: t, source: source})
			}
		}
		if c.address != "" && (len(ing.Status.LoadBalancer.Ingress) != 1 || ing.Status.LoadBalancer.Ingress[0].IP != c.address) {
			patch := fmt.Sprintf(`{"status":{"loadBalancer":{"ingress":[{"ip":%q}]}}}`, c.address)
			path := fmt.Sprintf("/apis/networking.k8s.io/v1/namespaces/%s/ingresses/%s/status", ing.Metadata.Namespace, ing.Metadata.Name)
			if err := c.api.do(ctx, "PATCH", path, "application/merge-patch+json", []byte(patch), nil); err != nil {
				log.Printf("%s: status: %v", source, err)
			}
		}
	}
	sort.SliceStable(routes, func(i, j int) bool {
		if (routes[i].host == "") != (routes[j].host == "") {
			return routes[j].host == ""
		}
		if routes[i].exact != routes[j].exact {
			return routes[i].exact
		}
		return len(routes[i].path) > len(routes[j].path)
	})
	c.routes.Store(&table{routes: routes})
	var b strings.Builder
	for _, r := range routes {
		fmt.Fprintf(&b, "  %s%s (exact=%v) -> %s [%s]\n", r.host, r.path, r.exact, r.target, r.source)
	}
	if s := b.String(); s != c.lastTable {
		log.Printf("routes:\n%s", s)
		c.lastTable = s
	}
	return nil
}

func (c *controller) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	t := c.routes.Load()
	var r *route
	if t != nil {
		r = t.match(req.Host, req.URL.Path)
	}
	if r == nil {
		http.Error(w, "no ingress rule matches this host and path", http.StatusNotFound)
		return
	}
	target := r.target
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
			pr.SetXForwarded()
		},
		FlushInterval: 100 * time.Millisecond,
	}
	proxy.ServeHTTP(w, req)
}

func main() {
	listen := flag.String("listen", ":8080", "address the proxied traffic arrives on")
	health := flag.String("health-listen", ":10254", "address of /healthz")
	class := flag.String("ingress-class", "testbin", "the IngressClass this controller serves")
	controllerName := flag.String("controller-name", "gravix.dev/testbin-ingress", "spec.controller of that IngressClass")
	address := flag.String("status-address", os.Getenv("STATUS_ADDRESS"), "IP written to the status of served Ingresses")
	flag.Parse()

	api, err := newAPIClient()
	if err != nil {
		log.Fatal(err)
	}
	c := &controller{api: api, class: *class, controller: *controllerName, address: *address}
	var synced atomic.Bool
	go func() {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			if err := c.sync(ctx); err != nil {
				log.Printf("sync: %v", err)
			} else {
				synced.Store(true)
			}
			cancel()
			time.Sleep(2 * time.Second)
		}
	}()
	go func() {
		mux := http.NewServeMux()
		mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
			if !synced.Load() {
				http.Error(w, "not synced yet", http.StatusServiceUnavailable)
				return
			}
			fmt.Fprintln(w, "ok")
		})
		log.Fatal(http.ListenAndServe(*health, mux))
	}()
	log.Printf("serving IngressClass %q on %s", *class, *listen)
	log.Fatal((&http.Server{Addr: *listen, Handler: c, ReadHeaderTimeout: 30 * time.Second}).ListenAndServe())
}
