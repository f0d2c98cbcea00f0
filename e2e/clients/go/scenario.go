// Real-client scenario for pgx v4 (see ../README.md). Built offline by ../setup.sh from
// Debian's Go sources (GOPATH mode). pgx prepares every statement (named, cached) and reads
// results in binary where the type has a binary format.
package main

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgconn"
	"github.com/jackc/pgtype"
	"github.com/jackc/pgx/v4"
)

const longQuery = "SELECT count(*) FROM generate_series(1,100000) a(x), generate_series(1,100000) b(y) WHERE x + y > 0"

type stepFailed struct{ msg string }

func (e stepFailed) Error() string { return e.msg }

func failf(format string, args ...interface{}) error {
	return stepFailed{fmt.Sprintf(format, args...)}
}

func env(name string) string {
	v := os.Getenv(name)
	if v == "" {
		fmt.Fprintf(os.Stderr, "%s is not set\n", name)
		os.Exit(2)
	}
	return v
}

func connect(ctx context.Context, password string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig("sslmode=disable connect_timeout=10")
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(env("DFDB_PORT"))
	if err != nil {
		return nil, err
	}
	cfg.Host, cfg.Port = env("DFDB_HOST"), uint16(port)
	cfg.User, cfg.Password, cfg.Database = env("DFDB_USER"), password, env("DFDB_DBNAME")
	return pgx.ConnectConfig(ctx, cfg)
}

// withConn runs fn on a fresh connection (closed afterwards) under a 60 s deadline.
func withConn(fn func(ctx context.Context, c *pgx.Conn) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := connect(ctx, env("DFDB_PASSWORD"))
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	return fn(ctx, c)
}

func check(label string, got, expected interface{}) error {
	if !reflect.DeepEqual(got, expected) {
		return failf("%s: expected %#v, got %#v", label, expected, got)
	}
	return nil
}

func sqlstate(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

func checkState(label string, err error, code string) error {
	if err == nil {
		return failf("%s: expected SQLSTATE %s, but it succeeded", label, code)
	}
	if got := sqlstate(err); got != code {
		return failf("%s: expected SQLSTATE %s, got %q (%v)", label, code, got, err)
	}
	return nil
}

// q is something that runs a query: a *pgx.Conn or a pgx.Tx.
type q interface {
	QueryRow(ctx context.Context, sql string, args ...interface{}) pgx.Row
}

// errorOf runs sql and returns its error (nil if it succeeds).
func errorOf(ctx context.Context, c q, sql string) error {
	var ignored interface{}
	return c.QueryRow(ctx, sql).Scan(&ignored)
}

func selectOne(ctx context.Context, c q, label string) error {
	var one int32
	if err := c.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	return check(label, one, int32(1))
}

func wrongPassword() error {
	c, err := connect(context.Background(), env("DFDB_PASSWORD")+"-wrong")
	if err == nil {
		c.Close(context.Background())
		return failf("connected with a wrong password")
	}
	return checkState("connecting with a wrong password", err, "28P01")
}

func connectStep() error {
	return withConn(func(ctx context.Context, c *pgx.Conn) error {
		return selectOne(ctx, c, "SELECT 1")
	})
}

func jsonQuery() error {
	type row struct {
		ID, Name string
		Price    float64
		Tags     []string
	}
	return withConn(func(ctx context.Context, c *pgx.Conn) error {
		rows, err := c.Query(ctx, "SELECT id, doc->>'name' AS name, (doc->>'price')::float8 AS price, doc->'tags' AS tags "+
			"FROM scenario WHERE doc->>'city' = $1 ORDER BY id", "Lisbon")
		if err != nil {
			return err
		}
		var got []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.ID, &r.Name, &r.Price, &r.Tags); err != nil {
				return err
			}
			got = append(got, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		expected := []row{{"a1", "Alpha", 80, []string{"sea", "wifi"}}, {"c3", "Gamma", 95, []string{"wifi"}}}
		if err := check("rows for city Lisbon", got, expected); err != nil {
			return err
		}
		var ids []string
		rows, err = c.Query(ctx, "SELECT id FROM scenario WHERE doc @> $1::jsonb ORDER BY id", `{"city": "Porto"}`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return check("ids for @> city Porto", ids, []string{"b2"})
	})
}

func jsonbText() error {
	return withConn(func(ctx context.Context, c *pgx.Conn) error {
		var t string
		if err := c.QueryRow(ctx, `SELECT '{"b":2,"a":[1,2.50,"x"]}'::jsonb::text AS t`).Scan(&t); err != nil {
			return err
		}
		if err := check("jsonb::text", t, `{"a": [1, 2.50, "x"], "b": 2}`); err != nil {
			return err
		}
		if err := c.QueryRow(ctx, `SELECT '{"b":1,  "a":2}'::json::text`).Scan(&t); err != nil {
			return err
		}
		return check("json::text", t, `{"b":1,  "a":2}`)
	})
}

func ratOf(n pgtype.Numeric) *big.Rat {
	if n.Status != pgtype.Present || n.Int == nil {
		return nil
	}
	r := new(big.Rat).SetInt(n.Int)
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(n.Exp))), nil))
	if n.Exp >= 0 {
		return r.Mul(r, scale)
	}
	return r.Quo(r, scale)
}

func abs(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

func types() error {
	tz := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	ts := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	d := time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)
	uuid := "0190b7c2-4c1e-7cc3-8b6a-3f1d2e4a5b6c"
	by := []byte{0x00, 0x01, 0xfe, 0xff}
	n := pgtype.Numeric{Int: big.NewInt(1234), Exp: -2, Status: pgtype.Present}
	jb := map[string]interface{}{"k": []interface{}{1, "x", nil}}
	sql := "SELECT $1::int2 AS i2, $2::int4 AS i4, $3::int8 AS i8, $4::float4 AS f4, $5::float8 AS f8, " +
		"$6::numeric AS n, $7::bool AS b, $8::text AS t, $9::timestamptz AS tz, $10::timestamp AS ts, " +
		"$11::date AS d, $12::uuid AS u, $13::bytea AS by, $14::jsonb AS jb, $15::json AS js, " +
		"$16::int8[] AS ai, $17::text[] AS at, $18::text AS nul"
	return withConn(func(ctx context.Context, c *pgx.Conn) error {
		var (
			i2                 int16
			i4                 int32
			i8                 int64
			f4                 float32
			f8                 float64
			gotN               pgtype.Numeric
			b                  bool
			t, gotU            string
			gotTz, gotTs, gotD time.Time
			gotBy              []byte
			gotJb, gotJs       map[string]interface{}
			ai                 []int64
			at                 []string
			nul                *string
		)
		err := c.QueryRow(ctx, sql, int16(12), int32(123456), int64(9007199254740993), float32(1.5), 2.25,
			n, true, `héllo "w"`, tz, ts, d, uuid, by, jb, `{"b":1,"a":2}`, []int64{1, 2, 3}, []string{"a", "b c"}, nil,
		).Scan(&i2, &i4, &i8, &f4, &f8, &gotN, &b, &t, &gotTz, &gotTs, &gotD, &gotU, &gotBy, &gotJb, &gotJs, &ai, &at, &nul)
		if err != nil {
			return err
		}
		gotRat, wantRat := ratOf(gotN), big.NewRat(1234, 100)
		if gotRat == nil || gotRat.Cmp(wantRat) != 0 {
			return failf("n (numeric): expected 12.34, got %v", gotRat)
		}
		checks := []struct {
			label         string
			got, expected interface{}
		}{
			{"i2 (int2)", i2, int16(12)},
			{"i4 (int4)", i4, int32(123456)},
			{"i8 (int8)", i8, int64(9007199254740993)},
			{"f4 (float4)", f4, float32(1.5)},
			{"f8 (float8)", f8, 2.25},
			{"b (bool)", b, true},
			{"t (text)", t, `héllo "w"`},
			{"tz (timestamptz) as an instant", gotTz.UTC(), tz},
			{"ts (timestamp)", gotTs, ts},
			{"d (date)", gotD, d},
			{"u (uuid)", gotU, uuid},
			{"by (bytea)", gotBy, by},
			{"jb (jsonb)", gotJb, map[string]interface{}{"k": []interface{}{1.0, "x", nil}}},
			{"js (json)", gotJs, map[string]interface{}{"b": 1.0, "a": 2.0}},
			{"ai (int8[])", ai, []int64{1, 2, 3}},
			{"at (text[])", at, []string{"a", "b c"}},
			{"nul (text)", nul, (*string)(nil)},
		}
		for _, x := range checks {
			if err := check(x.label, x.got, x.expected); err != nil {
				return err
			}
		}
		return nil
	})
}

func errorsStep() error {
	return withConn(func(ctx context.Context, c *pgx.Conn) error {
		for _, x := range [][2]string{{"SELECT * FROM no_such_table", "42P01"}, {"SELEC 1", "42601"}, {"SELECT 1/0", "22012"}} {
			if err := checkState(x[0], errorOf(ctx, c, x[0]), x[1]); err != nil {
				return err
			}
			if err := selectOne(ctx, c, "SELECT 1 after "+x[0]); err != nil {
				return err
			}
		}
		return nil
	})
}

func cancel() error {
	// pgx v4 closes the connection when a query's context is cancelled, so the statement is
	// cancelled on a live connection with PgConn.CancelRequest (the protocol's CancelRequest).
	return withConn(func(ctx context.Context, c *pgx.Conn) error {
		go func() {
			time.Sleep(500 * time.Millisecond)
			cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := c.PgConn().CancelRequest(cctx); err != nil {
				fmt.Fprintf(os.Stderr, "CancelRequest: %v\n", err)
			}
		}()
		qctx, qcancel := context.WithTimeout(ctx, 5500*time.Millisecond) // backstop
		defer qcancel()
		err := errorOf(qctx, c, longQuery)
		if qctx.Err() != nil {
			return failf("the query was still running 5 s after the CancelRequest (%v)", err)
		}
		if err := checkState("the cancelled query", err, "57014"); err != nil {
			return err
		}
		return selectOne(ctx, c, "SELECT 1 after the cancel")
	})
}

func cancelContext() error {
	// The pgx v4 way: a context deadline. pgx sends a CancelRequest and closes the connection.
	if err := withConn(func(ctx context.Context, c *pgx.Conn) error {
		qctx, qcancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer qcancel()
		start := time.Now()
		err := errorOf(qctx, c, longQuery)
		if err == nil || !errors.Is(err, context.DeadlineExceeded) && !pgconn.Timeout(err) {
			return failf("expected a context deadline error, got %v", err)
		}
		if took := time.Since(start); took > 5*time.Second {
			return failf("the query returned %v after it started", took)
		}
		return check("connection closed after the context deadline", c.IsClosed(), true)
	}); err != nil {
		return err
	}
	return withConn(func(ctx context.Context, c *pgx.Conn) error {
		return selectOne(ctx, c, "SELECT 1 on a new connection")
	})
}

func transaction() error {
	return withConn(func(ctx context.Context, c *pgx.Conn) error {
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		var count int64
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM scenario").Scan(&count); err != nil {
			return err
		}
		if err := check("count(*) in a transaction", count, int64(3)); err != nil {
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		tx, err = c.Begin(ctx)
		if err != nil {
			return err
		}
		if err := checkState("SELECT 1/0 in a transaction", errorOf(ctx, tx, "SELECT 1/0"), "22012"); err != nil {
			return err
		}
		if err := checkState("SELECT 1 after the error", errorOf(ctx, tx, "SELECT 1"), "25P02"); err != nil {
			return err
		}
		if err := tx.Rollback(ctx); err != nil {
			return fmt.Errorf("rollback: %w", err)
		}
		return selectOne(ctx, c, "SELECT 1 after rollback")
	})
}

func show(ctx context.Context, c *pgx.Conn, name string) (string, error) {
	var v string
	err := c.QueryRow(ctx, "SHOW "+name).Scan(&v)
	return v, err
}

func sessionSettings() error {
	return withConn(func(ctx context.Context, c *pgx.Conn) error {
		if _, err := c.Exec(ctx, "SET statement_timeout = '250ms'"); err != nil {
			return err
		}
		qctx, qcancel := context.WithTimeout(ctx, 10*time.Second) // backstop
		defer qcancel()
		err := errorOf(qctx, c, longQuery)
		if qctx.Err() != nil {
			return failf("the long query was still running after 10 s (%v)", err)
		}
		if err := checkState("the long query under statement_timeout", err, "57014"); err != nil {
			return err
		}
		v, err := show(ctx, c, "statement_timeout")
		if err != nil {
			return err
		}
		if err := check("SHOW statement_timeout", v, "250ms"); err != nil {
			return err
		}
		if err := withConn(func(ctx context.Context, other *pgx.Conn) error {
			v, err := show(ctx, other, "statement_timeout")
			if err != nil {
				return err
			}
			return check("SHOW statement_timeout on a second connection", v, "0")
		}); err != nil {
			return err
		}
		if _, err := c.Exec(ctx, "SET application_name = 'scenario-pgx'"); err != nil {
			return err
		}
		v, err = show(ctx, c, "application_name")
		if err != nil {
			return err
		}
		return check("SHOW application_name", v, "scenario-pgx")
	})
}

func batch() error {
	// A batch goes to the server as one pipeline of Bind/Execute messages with a single Sync.
	return withConn(func(ctx context.Context, c *pgx.Conn) error {
		b := &pgx.Batch{}
		b.Queue("SELECT count(*) FROM scenario")
		b.Queue("SELECT doc->>'name' FROM scenario WHERE id = $1", "b2")
		b.Queue("SELECT string_agg(id, ',' ORDER BY id) FROM scenario WHERE doc @> $1::jsonb", `{"city": "Lisbon"}`)
		br := c.SendBatch(ctx, b)
		defer br.Close()
		var count int64
		var name, ids string
		if err := br.QueryRow().Scan(&count); err != nil {
			return fmt.Errorf("batch query 1: %w", err)
		}
		if err := br.QueryRow().Scan(&name); err != nil {
			return fmt.Errorf("batch query 2: %w", err)
		}
		if err := br.QueryRow().Scan(&ids); err != nil {
			return fmt.Errorf("batch query 3: %w", err)
		}
		return check("count, name of b2, ids in Lisbon", []interface{}{count, name, ids}, []interface{}{int64(3), "Beta", "a1,c3"})
	})
}

func main() {
	steps := []struct {
		name string
		fn   func() error
	}{
		{"wrong_password", wrongPassword},
		{"connect", connectStep},
		{"json_query", jsonQuery},
		{"jsonb_text", jsonbText},
		{"types", types},
		{"errors", errorsStep},
		{"cancel", cancel},
		{"cancel_context", cancelContext},
		{"transaction", transaction},
		{"session_settings", sessionSettings},
		{"batch", batch},
	}
	passed, failed := 0, 0
	for _, s := range steps {
		if err := s.fn(); err != nil {
			var sf stepFailed
			reason := "unexpected error: " + err.Error()
			if errors.As(err, &sf) {
				reason = sf.msg
			}
			fmt.Printf("FAIL %s: %s\n", s.name, strings.Join(strings.Fields(reason), " "))
			failed++
		} else {
			fmt.Printf("PASS %s\n", s.name)
			passed++
		}
	}
	fmt.Printf("pgx: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
