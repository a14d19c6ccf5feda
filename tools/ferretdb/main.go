// Command ferretdb-embedded runs FerretDB v1 with its SQLite backend on a loopback
// port, so tests and the first-run bot have a MongoDB wire-compatible server without
// a mongod binary. It prints the connection URI on its first stdout line.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/jackc/pgx/v5"
)

// ensureDatabase creates the PostgreSQL database named in url when it does not exist:
// FerretDB's PostgreSQL backend needs it to exist, and a first run should not.
func ensureDatabase(url string) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("--postgresql-url: %w", err)
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

func main() {
	addr := flag.String("listen", "127.0.0.1:0", "loopback address to listen on")
	dir := flag.String("dir", ".data/ferretdb", "directory for the SQLite files")
	handler := flag.String("handler", "sqlite", "backend: sqlite, or postgresql (needs --postgresql-url)")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL URL for the postgresql backend")
	flag.Parse()

	abs, err := filepath.Abs(*dir)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		log.Fatal(err)
	}

	if *handler == "postgresql" {
		if err := ensureDatabase(*pgURL); err != nil {
			log.Fatal(err)
		}
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *addr},
		Handler:       *handler,
		SQLiteURL:     "file:" + abs + "/",
		PostgreSQLURL: *pgURL,
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	done := make(chan struct{})
	go func() {
		f.Run(ctx)
		close(done)
	}()

	fmt.Println(f.MongoDBURI())
	<-done
}
