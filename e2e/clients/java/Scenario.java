// Real-client scenario for pgjdbc (see ../README.md). Run as a single-file source program:
//   java -cp /usr/share/java/postgresql.jar Scenario.java

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.postgresql.util.PGobject;

public class Scenario {
    static final String LONG_QUERY =
        "SELECT count(*) FROM generate_series(1,100000) a(x), generate_series(1,100000) b(y) WHERE x + y > 0";
    static final ScheduledExecutorService TIMERS = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
    });

    static class StepFailed extends Exception {
        StepFailed(String message) {
            super(message);
        }
    }

    interface Body {
        void run() throws Exception;
    }

    static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException(name + " is not set");
        }
        return v;
    }

    static Connection connect(String password) throws SQLException {
        String url = "jdbc:postgresql://" + env("DFDB_HOST") + ":" + env("DFDB_PORT") + "/" + env("DFDB_DBNAME");
        Properties props = new Properties();
        props.setProperty("user", env("DFDB_USER"));
        props.setProperty("password", password);
        props.setProperty("sslmode", "disable");
        props.setProperty("connectTimeout", "10");
        props.setProperty("loginTimeout", "10");
        props.setProperty("socketTimeout", "60"); // a server that stops answering fails the step
        return DriverManager.getConnection(url, props);
    }

    static Connection connect() throws SQLException {
        return connect(env("DFDB_PASSWORD"));
    }

    static void check(String label, Object got, Object expected) throws StepFailed {
        boolean same = got instanceof Object[] && expected instanceof Object[]
            ? Arrays.deepEquals((Object[]) got, (Object[]) expected)
            : got instanceof byte[] && expected instanceof byte[]
                ? Arrays.equals((byte[]) got, (byte[]) expected)
                : Objects.equals(got, expected);
        if (!same) {
            throw new StepFailed(label + ": expected " + show(expected) + ", got " + show(got));
        }
    }

    static String show(Object v) {
        if (v instanceof Object[]) {
            return Arrays.deepToString((Object[]) v);
        }
        if (v instanceof byte[]) {
            return Arrays.toString((byte[]) v);
        }
        return v instanceof String ? "\"" + v + "\"" : String.valueOf(v);
    }

    static void checkState(String label, SQLException e, String expected) throws StepFailed {
        if (e == null) {
            throw new StepFailed(label + ": expected SQLSTATE " + expected + ", but it succeeded");
        }
        if (!expected.equals(e.getSQLState())) {
            throw new StepFailed(label + ": expected SQLSTATE " + expected + ", got " + e.getSQLState()
                + " (" + e.getMessage().replace('\n', ' ') + ")");
        }
    }

    /** The SQLException that running sql raises, or null if it succeeds. */
    static SQLException errorOf(Connection c, String sql) {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
            return null;
        } catch (SQLException e) {
            return e;
        }
    }

    static Object one(Connection c, String sql) throws SQLException, StepFailed {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new StepFailed(sql + ": no row");
            }
            return rs.getObject(1);
        }
    }

    /** errorOf(c, sql), but if sql is still running after ms, aborts the connection and fails. */
    static SQLException boundedErrorOf(Connection c, String sql, long ms) throws StepFailed {
        AtomicBoolean aborted = new AtomicBoolean();
        ScheduledFuture<?> watchdog = TIMERS.schedule(() -> {
            aborted.set(true);
            c.abort(Runnable::run);
            return null;
        }, ms, TimeUnit.MILLISECONDS);
        SQLException e = errorOf(c, sql);
        watchdog.cancel(false);
        if (aborted.get()) {
            throw new StepFailed("the statement was still running after " + ms + " ms");
        }
        return e;
    }

    static void wrongPassword() throws Exception {
        try (Connection c = connect(env("DFDB_PASSWORD") + "-wrong")) {
            throw new StepFailed("connected with a wrong password");
        } catch (SQLException e) {
            checkState("connecting with a wrong password", e, "28P01");
        }
    }

    static void connectStep() throws Exception {
        try (Connection c = connect()) {
            check("SELECT 1", one(c, "SELECT 1"), 1);
        }
    }

    static void jsonQuery() throws Exception {
        try (Connection c = connect()) {
            List<List<Object>> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, doc->>'name' AS name, (doc->>'price')::float8 AS price, doc->'tags' AS tags "
                    + "FROM scenario WHERE doc->>'city' = ? ORDER BY id")) {
                ps.setString(1, "Lisbon");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(List.of(rs.getString("id"), rs.getString("name"), rs.getDouble("price"),
                            rs.getString("tags")));
                    }
                }
            }
            check("rows for city Lisbon", rows, List.of(
                List.of("a1", "Alpha", 80.0, "[\"sea\", \"wifi\"]"),
                List.of("c3", "Gamma", 95.0, "[\"wifi\"]")));
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM scenario WHERE doc @> ?::jsonb ORDER BY id")) {
                ps.setString(1, "{\"city\": \"Porto\"}");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            check("ids for @> city Porto", ids, List.of("b2"));
        }
    }

    static void jsonbText() throws Exception {
        try (Connection c = connect()) {
            check("jsonb::text", one(c, "SELECT '{\"b\":2,\"a\":[1,2.50,\"x\"]}'::jsonb::text AS t"),
                "{\"a\": [1, 2.50, \"x\"], \"b\": 2}");
            check("json::text", one(c, "SELECT '{\"b\":1,  \"a\":2}'::json::text"), "{\"b\":1,  \"a\":2}");
        }
    }

    static PGobject pgObject(String type, String value) throws SQLException {
        PGobject o = new PGobject();
        o.setType(type);
        o.setValue(value);
        return o;
    }

    static void types() throws Exception {
        OffsetDateTime tz = OffsetDateTime.of(2024, 5, 6, 7, 8, 9, 123456000, ZoneOffset.UTC);
        LocalDateTime ts = LocalDateTime.of(2024, 5, 6, 7, 8, 9);
        LocalDate d = LocalDate.of(2024, 5, 6);
        UUID u = UUID.fromString("0190b7c2-4c1e-7cc3-8b6a-3f1d2e4a5b6c");
        byte[] by = {0x00, 0x01, (byte) 0xfe, (byte) 0xff};
        String sql = "SELECT ?::int2 AS i2, ?::int4 AS i4, ?::int8 AS i8, ?::float4 AS f4, ?::float8 AS f8, "
            + "?::numeric AS n, ?::bool AS b, ?::text AS t, ?::timestamptz AS tz, ?::timestamp AS ts, "
            + "?::date AS d, ?::uuid AS u, ?::bytea AS by, ?::jsonb AS jb, ?::json AS js, "
            + "?::int8[] AS ai, ?::text[] AS at, ?::text AS nul";
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setShort(1, (short) 12);
            ps.setInt(2, 123456);
            ps.setLong(3, 9007199254740993L);
            ps.setFloat(4, 1.5f);
            ps.setDouble(5, 2.25);
            ps.setBigDecimal(6, new BigDecimal("12.34"));
            ps.setBoolean(7, true);
            ps.setString(8, "héllo \"w\"");
            ps.setObject(9, tz);
            ps.setObject(10, ts);
            ps.setObject(11, d);
            ps.setObject(12, u);
            ps.setBytes(13, by);
            ps.setObject(14, pgObject("jsonb", "{\"k\": [1, \"x\", null]}"));
            ps.setObject(15, pgObject("json", "{\"b\":1,\"a\":2}"));
            ps.setArray(16, c.createArrayOf("int8", new Long[] {1L, 2L, 3L}));
            ps.setArray(17, c.createArrayOf("text", new String[] {"a", "b c"}));
            ps.setNull(18, Types.VARCHAR);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new StepFailed("no row");
                }
                check("i2 (int2)", rs.getShort("i2"), (short) 12);
                check("i4 (int4)", rs.getInt("i4"), 123456);
                check("i8 (int8)", rs.getLong("i8"), 9007199254740993L);
                check("f4 (float4)", rs.getFloat("f4"), 1.5f);
                check("f8 (float8)", rs.getDouble("f8"), 2.25);
                BigDecimal n = rs.getBigDecimal("n");
                if (n == null || n.compareTo(new BigDecimal("12.34")) != 0) {
                    throw new StepFailed("n (numeric): expected 12.34, got " + n);
                }
                check("b (bool)", rs.getBoolean("b"), true);
                check("t (text)", rs.getString("t"), "héllo \"w\"");
                OffsetDateTime gotTz = rs.getObject("tz", OffsetDateTime.class);
                check("tz (timestamptz) as an instant", gotTz == null ? null : gotTz.toInstant(), tz.toInstant());
                check("ts (timestamp)", rs.getObject("ts", LocalDateTime.class), ts);
                check("d (date)", rs.getObject("d", LocalDate.class), d);
                check("u (uuid)", rs.getObject("u"), u);
                check("by (bytea)", rs.getBytes("by"), by);
                // jsonb text is canonical and json text is kept as sent, so both compare as text.
                check("jb (jsonb)", rs.getString("jb"), "{\"k\": [1, \"x\", null]}");
                check("js (json)", rs.getString("js"), "{\"b\":1,\"a\":2}");
                check("ai (int8[])", rs.getArray("ai").getArray(), new Long[] {1L, 2L, 3L});
                check("at (text[])", rs.getArray("at").getArray(), new String[] {"a", "b c"});
                check("nul (text)", rs.getString("nul"), null);
                check("nul (text) wasNull", rs.wasNull(), true);
            }
        }
    }

    static void errors() throws Exception {
        try (Connection c = connect()) {
            String[][] cases = {{"SELECT * FROM no_such_table", "42P01"}, {"SELEC 1", "42601"}, {"SELECT 1/0", "22012"}};
            for (String[] x : cases) {
                checkState(x[0], errorOf(c, x[0]), x[1]);
                check("SELECT 1 after " + x[0], one(c, "SELECT 1"), 1);
            }
        }
    }

    static void cancel() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            TIMERS.schedule(() -> {
                st.cancel();
                return null;
            }, 500, TimeUnit.MILLISECONDS);
            AtomicBoolean aborted = new AtomicBoolean();
            ScheduledFuture<?> watchdog = TIMERS.schedule(() -> {
                aborted.set(true);
                c.abort(Runnable::run);
                return null;
            }, 5500, TimeUnit.MILLISECONDS);
            SQLException err = null;
            try {
                st.executeQuery(LONG_QUERY);
            } catch (SQLException e) {
                err = e;
            }
            watchdog.cancel(false);
            if (aborted.get()) {
                throw new StepFailed("the query was still running 5 s after Statement.cancel()");
            }
            checkState("the cancelled query", err, "57014");
            check("SELECT 1 after the cancel", one(c, "SELECT 1"), 1);
        }
    }

    static void transaction() throws Exception {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            check("count(*) in a transaction", one(c, "SELECT count(*) FROM scenario"), 3L);
            c.commit();
            checkState("SELECT 1/0 in a transaction", errorOf(c, "SELECT 1/0"), "22012");
            checkState("SELECT 1 after the error", errorOf(c, "SELECT 1"), "25P02");
            c.rollback();
            check("SELECT 1 after rollback", one(c, "SELECT 1"), 1);
        }
    }

    static void sessionSettings() throws Exception {
        try (Connection c = connect(); Connection other = connect()) {
            c.createStatement().execute("SET statement_timeout = '250ms'");
            checkState("the long query under statement_timeout", boundedErrorOf(c, LONG_QUERY, 10000), "57014");
            check("SHOW statement_timeout", one(c, "SHOW statement_timeout"), "250ms");
            check("SHOW statement_timeout on a second connection", one(other, "SHOW statement_timeout"), "0");
            c.createStatement().execute("SET application_name = 'scenario-pgjdbc'");
            check("SHOW application_name", one(c, "SHOW application_name"), "scenario-pgjdbc");
        }
    }

    static void fetchSize() throws Exception {
        // Outside autocommit, a fetch size makes pgjdbc Execute its portal with max_rows = 1,
        // so the server answers PortalSuspended until the last row.
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM scenario ORDER BY id")) {
                ps.setFetchSize(1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            c.commit();
            check("ids fetched one by one", ids, List.of("a1", "b2", "c3"));
        }
    }

    // What Metabase's sync and DBeaver's navigator ask pgjdbc's DatabaseMetaData.
    static void metadata() throws Exception {
        try (Connection c = connect()) {
            java.sql.DatabaseMetaData md = c.getMetaData();
            check("database major version", md.getDatabaseMajorVersion(), 15);
            List<String> schemas = new ArrayList<>();
            try (ResultSet rs = md.getSchemas()) {
                while (rs.next()) {
                    schemas.add(rs.getString("TABLE_SCHEM"));
                }
            }
            check("public among the schemas", schemas.contains("public"), true);
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, "public", "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
                }
            }
            check("tables of public", tables, List.of("scenario:TABLE"));
            List<String> columns = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, "public", "scenario", "%")) {
                while (rs.next()) {
                    columns.add(rs.getInt("ORDINAL_POSITION") + " " + rs.getString("COLUMN_NAME") + " "
                        + rs.getString("TYPE_NAME") + " " + rs.getString("IS_NULLABLE"));
                }
            }
            check("columns of scenario", columns,
                List.of("1 id text NO", "2 doc jsonb NO", "3 version int8 NO"));
            int types = 0;
            try (ResultSet rs = md.getTypeInfo()) {
                while (rs.next()) {
                    types++;
                }
            }
            check("getTypeInfo lists types", types > 10, true);
        }
    }

    static int passed;
    static int failed;

    static void step(String name, Body body) {
        try {
            body.run();
            System.out.println("PASS " + name);
            passed++;
        } catch (StepFailed e) {
            System.out.println("FAIL " + name + ": " + e.getMessage());
            failed++;
        } catch (Exception e) {
            System.out.println("FAIL " + name + ": unexpected " + e.toString().replace('\n', ' '));
            e.printStackTrace();
            failed++;
        }
    }

    public static void main(String[] args) {
        step("wrong_password", Scenario::wrongPassword);
        step("connect", Scenario::connectStep);
        step("json_query", Scenario::jsonQuery);
        step("jsonb_text", Scenario::jsonbText);
        step("types", Scenario::types);
        step("errors", Scenario::errors);
        step("cancel", Scenario::cancel);
        step("transaction", Scenario::transaction);
        step("session_settings", Scenario::sessionSettings);
        step("fetch_size", Scenario::fetchSize);
        step("metadata", Scenario::metadata);
        System.out.println("pgjdbc: " + passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
