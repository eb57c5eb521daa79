// Wrapper that builds etcd from go.etcd.io/etcd/server/v3: the root etcd module
// uses replace directives, so it cannot be `go install`ed.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
