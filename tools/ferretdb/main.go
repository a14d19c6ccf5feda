// Command ferretdb-embedded runs FerretDB v1 with its PostgreSQL backend on a loopback
// port, so tests and the first-run bot have a MongoDB wire-compatible server without a
// mongod binary. It prints the connection URI on its first stdout line.
//
// The PostgreSQL URL comes from the environment (FERRETDB_POSTGRESQL_URL), not a flag:
// a flag would show its password to every user of the machine in ps.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/jackc/pgx/v5"
)

// ensureDatabase creates the PostgreSQL database named in url when it does not exist:
// FerretDB's PostgreSQL backend needs it to exist, and a first run should not.
func ensureDatabase(url string) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("FERRETDB_POSTGRESQL_URL: %w", err)
	}
	name := cfg.Database
	cfg.Database = "postgres"
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return err
}

// stopPostgres asks the postmaster for a fast shutdown, if pid still is a postgres
// process: a pid since reused by another program is left alone (without /proc, as on
// macOS, the pid is trusted).
func stopPostgres(pid int) {
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err == nil && !bytes.Equal(bytes.TrimSpace(comm), []byte("postgres")) {
		return
	}
	if _, procErr := os.Stat("/proc/self"); err != nil && procErr == nil {
		return // gone already
	}
	_ = syscall.Kill(pid, syscall.SIGINT)
}

func main() {
	addr := flag.String("listen", "127.0.0.1:0", "loopback address to listen on")
	exitWithStdin := flag.Bool("exit-with-stdin", false,
		"exit when stdin reaches EOF: the parent holds the pipe, so the helper dies with it, even on kill -9")
	postgresPid := flag.Int("stop-postgres-on-stdin-eof", 0,
		"with -exit-with-stdin: pid of the embedded PostgreSQL to shut down (SIGINT) when the parent dies")
	flag.Parse()

	pgURL := os.Getenv("FERRETDB_POSTGRESQL_URL")
	if pgURL == "" {
		log.Fatal("FERRETDB_POSTGRESQL_URL is not set: it names the PostgreSQL database FerretDB stores its data in")
	}
	if err := ensureDatabase(pgURL); err != nil {
		log.Fatal(err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *addr},
		Handler:       "postgresql",
		PostgreSQLURL: pgURL,
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *exitWithStdin {
		// Once the parent is gone so are the readers of stdout and stderr: a log line must not
		// kill the helper with SIGPIPE before it has stopped PostgreSQL.
		signal.Ignore(syscall.SIGPIPE)
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			// The parent is gone (a graceful parent stops us with SIGTERM instead): nobody else
			// will stop its PostgreSQL either.
			if *postgresPid > 0 {
				stopPostgres(*postgresPid)
			}
			stop()
		}()
	}

	done := make(chan struct{})
	go func() {
		f.Run(ctx)
		close(done)
	}()

	fmt.Println(f.MongoDBURI())
	<-done
}
