//! One real-shaped failing line per common log format, scanned by the
//! real binary: the failure is found, at the instant its line gives (to
//! the millisecond, not shifted by half a second for whole-second clocks),
//! with the level the line gives.
//!
//! Each row is a small file: a line before, the failing line, a line
//! after, in the shape that the format's writer prints (the sources are
//! named per row). Files are scanned one at a time with `--tz UTC`, so a
//! format that is misread cannot borrow its time from another.

use crate::util::*;

/// One format: its name, the file name it is written under (some formats
/// are known by their name), its lines, and the instant of the one failing
/// line among them.
struct Row {
    format: &'static str,
    file: &'static str,
    text: &'static str,
    instant: &'static str,
}

const ROWS: &[Row] = &[
    Row {
        // oslo.log (OpenStack): local time, pid, level, logger, request
        format: "oslo.log",
        file: "nova-compute.log",
        text: "2026-11-24 19:06:00.001 2931 INFO nova.compute.manager [-] starting\n\
               2026-11-24 19:07:01.123 2931 ERROR nova.compute.manager [req-5f1c2a7e-0000-4000-8000-000000000001 - - - - -] Connection refused\n\
               2026-11-24 19:08:00.001 2931 INFO nova.compute.manager [-] done\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // Python logging's common `%(asctime)s - %(name)s - %(levelname)s`
        format: "python logging",
        file: "worker.log",
        text: "2026-11-24 19:06:00,001 - worker - INFO - polling\n\
               2026-11-24 19:07:01,123 - worker - ERROR - [Errno 111] Connection refused\n\
               2026-11-24 19:08:00,001 - worker - INFO - polling\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // Spring Boot's default console pattern
        format: "spring boot / logback",
        file: "orders.log",
        text: "2026-11-24 19:06:00.001  INFO 4242 --- [           main] c.e.o.OrdersApplication                  : Started\n\
               2026-11-24 19:07:01.123 ERROR 4242 --- [nio-8080-exec-1] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() threw exception: java.net.ConnectException: Connection refused\n\
               2026-11-24 19:08:00.001  INFO 4242 --- [           main] c.e.o.OrdersApplication                  : idle\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // log4j2 / Elasticsearch: bracketed time with a comma
        format: "log4j2 bracketed",
        file: "elasticsearch.log",
        text: "[2026-11-24T19:06:00,001][INFO ][o.e.n.Node               ] [es-1] started\n\
               [2026-11-24T19:07:01,123][ERROR][o.e.t.TransportService   ] [es-1] connect exception: Connection refused\n\
               [2026-11-24T19:08:00,001][INFO ][o.e.n.Node               ] [es-1] idle\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // Kafka's log4j layout: `[%d] %p %m (%c)`
        format: "kafka log4j",
        file: "server.log",
        text: "[2026-11-24 19:06:00,001] INFO started (kafka.server.KafkaServer)\n\
               [2026-11-24 19:07:01,123] WARN [Controller id=1] Connection to node 2 (broker-2/10.0.0.2:9092) could not be established. Broker may not be available. (org.apache.kafka.clients.NetworkClient)\n\
               [2026-11-24 19:08:00,001] INFO idle (kafka.server.KafkaServer)\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // Kubernetes klog: level letter, yearless month-day, microseconds
        format: "klog",
        file: "kubelet.log",
        text: "I1124 19:06:00.000001    1234 server.go:100] started\n\
               E1124 19:07:01.123456    1234 reflector.go:138] dial tcp 10.96.0.1:443: connect: connection refused\n\
               I1124 19:08:00.000001    1234 server.go:100] idle\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // RFC 3164 syslog with host and program[pid]
        format: "syslog (RFC 3164)",
        file: "messages",
        text: "Nov 24 19:06:00 web01 app[811]: started\n\
               Nov 24 19:07:01 web01 app[811]: upstream db:5432: Connection refused\n\
               Nov 24 19:08:00 web01 app[811]: idle\n",
        instant: "2026-11-24T19:07:01.000Z",
    },
    Row {
        // RFC 5424 syslog
        format: "syslog (RFC 5424)",
        file: "rsyslog.log",
        text: "<30>1 2026-11-24T19:06:00.001Z web01 app 811 - - started\n\
               <27>1 2026-11-24T19:07:01.123Z web01 app 811 ID47 - upstream db:5432: Connection refused\n\
               <30>1 2026-11-24T19:08:00.001Z web01 app 811 - - idle\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // Docker's json-file driver: the line inside "log", the time outside
        format: "docker json-file",
        file: "container-json.log",
        text: "{\"log\":\"started\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-24T19:06:00.000000001Z\"}\n\
               {\"log\":\"Error: connect ECONNREFUSED 10.0.0.5:5432\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-24T19:07:01.123456789Z\"}\n\
               {\"log\":\"idle\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-24T19:08:00.000000001Z\"}\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // CRI (containerd, CRI-O): time, stream, full/partial tag
        format: "CRI",
        file: "app-0.log",
        text: "2026-11-24T19:06:00.000000001Z stdout F started\n\
               2026-11-24T19:07:01.123456789Z stderr F Error: connect ECONNREFUSED 10.0.0.5:5432\n\
               2026-11-24T19:08:00.000000001Z stdout F idle\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // `journalctl -o json`: microseconds since the epoch as a string,
        // the syslog priority as a number
        format: "journald JSON export",
        file: "journal.json",
        text: "{\"__REALTIME_TIMESTAMP\":\"1764010560000001\",\"PRIORITY\":\"6\",\"_HOSTNAME\":\"web01\",\"SYSLOG_IDENTIFIER\":\"app\",\"MESSAGE\":\"started\"}\n\
               {\"__REALTIME_TIMESTAMP\":\"1764011221123456\",\"PRIORITY\":\"3\",\"_HOSTNAME\":\"web01\",\"SYSLOG_IDENTIFIER\":\"app\",\"MESSAGE\":\"upstream db:5432: Connection refused\"}\n\
               {\"__REALTIME_TIMESTAMP\":\"1764011280000001\",\"PRIORITY\":\"6\",\"_HOSTNAME\":\"web01\",\"SYSLOG_IDENTIFIER\":\"app\",\"MESSAGE\":\"idle\"}\n",
        instant: "2025-11-24T19:07:01.123Z",
    },
    Row {
        // nginx error log
        format: "nginx error",
        file: "error.log",
        text: "2026/11/24 19:06:00 [notice] 1#1: start worker processes\n\
               2026/11/24 19:07:01 [error] 29#29: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.9, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://10.0.0.5:8080/\"\n\
               2026/11/24 19:08:00 [notice] 1#1: signal process started\n",
        instant: "2026-11-24T19:07:01.000Z",
    },
    Row {
        // Apache httpd 2.4 error log
        format: "apache error",
        file: "apache-error.log",
        text: "[Tue Nov 24 19:06:00.000001 2026] [mpm_event:notice] [pid 1:tid 1] AH00489: resuming normal operations\n\
               [Tue Nov 24 19:07:01.123456 2026] [proxy:error] [pid 8:tid 9] (111)Connection refused: AH00957: http: attempt to connect to 10.0.0.5:8080 (backend) failed\n\
               [Tue Nov 24 19:08:00.000001 2026] [mpm_event:notice] [pid 1:tid 1] AH00492: caught SIGWINCH\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // PostgreSQL's default log_line_prefix '%m [%p] '
        format: "postgresql",
        file: "postgresql-Tue.log",
        text: "2026-11-24 19:06:00.001 UTC [71] LOG:  database system is ready to accept connections\n\
               2026-11-24 19:07:01.123 UTC [88] FATAL:  password authentication failed for user \"erp\"\n\
               2026-11-24 19:08:00.001 UTC [71] LOG:  checkpoint starting: time\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // MySQL 8 error log
        format: "mysql 8",
        file: "mysqld.log",
        text: "2026-11-24T19:06:00.000001Z 0 [System] [MY-010931] [Server] ready for connections\n\
               2026-11-24T19:07:01.123456Z 9 [Warning] [MY-010055] [Server] IP address '10.0.0.7' could not be resolved: Name or service not known\n\
               2026-11-24T19:07:01.123456Z 10 [Note] [MY-010914] [Server] Access denied for user 'erp'@'10.0.0.7' (using password: YES)\n\
               2026-11-24T19:08:00.000001Z 0 [System] [MY-010931] [Server] idle\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // Redis: pid:role day month year time
        format: "redis",
        file: "redis.log",
        text: "1:M 24 Nov 2026 19:06:00.001 * Ready to accept connections tcp\n\
               1:M 24 Nov 2026 19:07:01.123 # Error connecting to MASTER 10.0.0.5:6379: Connection refused\n\
               1:M 24 Nov 2026 19:08:00.001 * Background saving started\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // MongoDB 4.4+ structured log: the time under "t" as {"$date"}
        format: "mongodb JSON",
        file: "mongod.log",
        text: "{\"t\":{\"$date\":\"2026-11-24T19:06:00.001+00:00\"},\"s\":\"I\",\"c\":\"NETWORK\",\"id\":23016,\"ctx\":\"listener\",\"msg\":\"Waiting for connections\"}\n\
               {\"t\":{\"$date\":\"2026-11-24T19:07:01.123+00:00\"},\"s\":\"E\",\"c\":\"NETWORK\",\"id\":23729,\"ctx\":\"ReplCoord-0\",\"msg\":\"Connection refused\",\"attr\":{\"remote\":\"10.0.0.5:27017\"}}\n\
               {\"t\":{\"$date\":\"2026-11-24T19:08:00.001+00:00\"},\"s\":\"I\",\"c\":\"NETWORK\",\"id\":23016,\"ctx\":\"listener\",\"msg\":\"idle\"}\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // Go log/slog TextHandler
        format: "go slog text",
        file: "svc.log",
        text: "time=2026-11-24T19:06:00.001Z level=INFO msg=started\n\
               time=2026-11-24T19:07:01.123Z level=ERROR msg=\"query failed\" err=\"dial tcp 10.0.0.5:5432: connect: connection refused\"\n\
               time=2026-11-24T19:08:00.001Z level=INFO msg=idle\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // Go slog JSONHandler
        format: "go slog JSON",
        file: "svc-json.log",
        text: "{\"time\":\"2026-11-24T19:06:00.001Z\",\"level\":\"INFO\",\"msg\":\"started\"}\n\
               {\"time\":\"2026-11-24T19:07:01.123456Z\",\"level\":\"ERROR\",\"msg\":\"query failed\",\"err\":\"dial tcp 10.0.0.5:5432: connect: connection refused\"}\n\
               {\"time\":\"2026-11-24T19:08:00.001Z\",\"level\":\"INFO\",\"msg\":\"idle\"}\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // zap production: epoch seconds as a float
        format: "zap JSON",
        file: "zap.log",
        text: "{\"level\":\"info\",\"ts\":1764010560.0001,\"caller\":\"svc/main.go:20\",\"msg\":\"started\"}\n\
               {\"level\":\"error\",\"ts\":1764011221.123456,\"caller\":\"svc/db.go:42\",\"msg\":\"query failed\",\"error\":\"dial tcp 10.0.0.5:5432: connect: connection refused\"}\n\
               {\"level\":\"info\",\"ts\":1764011280.0001,\"caller\":\"svc/main.go:20\",\"msg\":\"idle\"}\n",
        instant: "2025-11-24T19:07:01.123Z",
    },
    Row {
        // zap development console encoder: tab separated
        format: "zap console",
        file: "zap-dev.log",
        text: "2026-11-24T19:06:00.001Z\tINFO\tsvc/main.go:20\tstarted\n\
               2026-11-24T19:07:01.123Z\tERROR\tsvc/db.go:42\tquery failed\t{\"error\": \"dial tcp 10.0.0.5:5432: connect: connection refused\"}\n\
               2026-11-24T19:08:00.001Z\tINFO\tsvc/main.go:20\tidle\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // zerolog: RFC 3339 to the second by default
        format: "zerolog",
        file: "zerolog.log",
        text: "{\"level\":\"info\",\"time\":\"2026-11-24T19:06:00Z\",\"message\":\"started\"}\n\
               {\"level\":\"error\",\"error\":\"dial tcp 10.0.0.5:5432: connect: connection refused\",\"time\":\"2026-11-24T19:07:01Z\",\"message\":\"query failed\"}\n\
               {\"level\":\"info\",\"time\":\"2026-11-24T19:08:00Z\",\"message\":\"idle\"}\n",
        instant: "2026-11-24T19:07:01.000Z",
    },
    Row {
        // Pino / Bunyan: numeric levels, epoch milliseconds
        format: "pino",
        file: "node.log",
        text: "{\"level\":30,\"time\":1764010560001,\"pid\":7,\"hostname\":\"api\",\"msg\":\"started\"}\n\
               {\"level\":50,\"time\":1764011221123,\"pid\":7,\"hostname\":\"api\",\"err\":{\"type\":\"Error\",\"message\":\"connect ECONNREFUSED 10.0.0.5:5432\"},\"msg\":\"query failed\"}\n\
               {\"level\":30,\"time\":1764011280001,\"pid\":7,\"hostname\":\"api\",\"msg\":\"idle\"}\n",
        instant: "2025-11-24T19:07:01.123Z",
    },
    Row {
        // Rust tracing-subscriber's default fmt layer
        format: "rust tracing",
        file: "rust.log",
        text: "2026-11-24T19:06:00.000001Z  INFO svc: started\n\
               2026-11-24T19:07:01.123456Z ERROR svc::db: query failed error=Connection refused (os error 111)\n\
               2026-11-24T19:08:00.000001Z  INFO svc: idle\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // Serilog compact JSON (CLEF): "@t", "@l" (absent means Information)
        format: "serilog CLEF",
        file: "clef.json",
        text: "{\"@t\":\"2026-11-24T19:06:00.0000001Z\",\"@mt\":\"Started\"}\n\
               {\"@t\":\"2026-11-24T19:07:01.1234567Z\",\"@mt\":\"Query failed\",\"@l\":\"Error\",\"@x\":\"Npgsql.NpgsqlException (0x80004005): Failed to connect to 10.0.0.5:5432\\n ---> System.Net.Sockets.SocketException (111): Connection refused\"}\n\
               {\"@t\":\"2026-11-24T19:08:00.0000001Z\",\"@mt\":\"Idle\"}\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // .NET console logger with a TimestampFormat: `fail:` and the
        // message on the next line
        format: ".NET console",
        file: "dotnet.log",
        text: "2026-11-24 19:06:00 info: Microsoft.Hosting.Lifetime[0]\n      Application started.\n\
               2026-11-24 19:07:01 fail: Orders.Worker[0]\n      System.Net.Sockets.SocketException (111): Connection refused\n\
               2026-11-24 19:08:00 info: Microsoft.Hosting.Lifetime[0]\n      Idle.\n",
        instant: "2026-11-24T19:07:01.000Z",
    },
    Row {
        // Rails' Logger::Formatter
        format: "rails",
        file: "production.log",
        text: "I, [2026-11-24T19:06:00.000001 #4242]  INFO -- : Started GET \"/\"\n\
               E, [2026-11-24T19:07:01.123456 #4242] ERROR -- : PG::ConnectionBad (connection to server at \"10.0.0.5\", port 5432 failed: Connection refused)\n\
               I, [2026-11-24T19:08:00.000001 #4242]  INFO -- : Completed 200 OK\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // gunicorn's error log
        format: "gunicorn",
        file: "gunicorn.log",
        text: "[2026-11-24 19:06:00 +0000] [1] [INFO] Booting worker with pid: 8\n\
               [2026-11-24 19:07:01 +0000] [8] [ERROR] Exception in worker process: connection refused by 10.0.0.5:5432\n\
               [2026-11-24 19:08:00 +0000] [1] [INFO] Handling signal: term\n",
        instant: "2026-11-24T19:07:01.000Z",
    },
    Row {
        // Android logcat, threadtime: yearless month-day, pid, tid, letter
        format: "logcat threadtime",
        file: "logcat.txt",
        text: "11-24 19:06:00.001  1234  1250 I ActivityManager: Start proc\n\
               11-24 19:07:01.123  1234  1251 E OkHttp  : java.net.ConnectException: Failed to connect to /10.0.0.5:443: Connection refused\n\
               11-24 19:08:00.001  1234  1250 I ActivityManager: idle\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // Heroku router: logplex time, key=value fields
        format: "heroku router",
        file: "heroku.log",
        text: "2026-11-24T19:06:00.000001+00:00 heroku[router]: at=info method=GET path=\"/\" host=app.herokuapp.com request_id=a1 fwd=\"1.2.3.4\" dyno=web.1 connect=0ms service=12ms status=200 bytes=120 protocol=https\n\
               2026-11-24T19:07:01.123456+00:00 heroku[router]: at=error code=H12 desc=\"Request timeout\" method=GET path=\"/orders\" host=app.herokuapp.com request_id=a2 fwd=\"1.2.3.4\" dyno=web.1 connect=0ms service=30000ms status=503 bytes=0 protocol=https\n\
               2026-11-24T19:08:00.000001+00:00 heroku[router]: at=info method=GET path=\"/\" host=app.herokuapp.com request_id=a3 fwd=\"1.2.3.4\" dyno=web.1 connect=0ms service=9ms status=200 bytes=120 protocol=https\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // Envoy's default access log format
        format: "envoy access",
        file: "envoy.log",
        text: "[2026-11-24T19:06:00.001Z] \"GET /health HTTP/1.1\" 200 - 0 2 1 1 \"-\" \"curl/8.5.0\" \"a1\" \"svc\" \"10.0.0.5:8080\"\n\
               [2026-11-24T19:07:01.123Z] \"GET /orders HTTP/1.1\" 503 UF,URX 0 91 5 - \"-\" \"curl/8.5.0\" \"a2\" \"svc\" \"10.0.0.5:8080\"\n\
               [2026-11-24T19:08:00.001Z] \"GET /health HTTP/1.1\" 200 - 0 2 1 1 \"-\" \"curl/8.5.0\" \"a3\" \"svc\" \"10.0.0.5:8080\"\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // nginx / Traefik combined access log
        format: "combined access",
        file: "access.log",
        text: "10.0.0.9 - - [24/Nov/2026:19:06:00 +0000] \"GET / HTTP/1.1\" 200 612 \"-\" \"curl/8.5.0\"\n\
               10.0.0.9 - - [24/Nov/2026:19:07:01 +0000] \"GET /orders HTTP/1.1\" 502 157 \"-\" \"curl/8.5.0\"\n\
               10.0.0.9 - - [24/Nov/2026:19:08:00 +0000] \"GET / HTTP/1.1\" 200 612 \"-\" \"curl/8.5.0\"\n",
        instant: "2026-11-24T19:07:01.000Z",
    },
    Row {
        // AWS ALB access log: the response time first, the request's
        // creation time later on the line
        format: "AWS ALB",
        file: "alb.log",
        text: "http 2026-11-24T19:06:00.000001Z app/lb/50dc6c495c0c9188 10.0.0.9:2817 10.0.0.5:80 0.000 0.001 0.000 200 200 34 366 \"GET http://lb:80/ HTTP/1.1\" \"curl/8.5.0\" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/tg/73e2d6bc24d8a067 \"Root=1-58337262-36d228ad5d99923122bbe354\" \"-\" \"-\" 0 2026-11-24T19:05:59.999000Z \"forward\" \"-\" \"-\" \"10.0.0.5:80\" \"200\" \"-\" \"-\"\n\
               http 2026-11-24T19:07:01.123456Z app/lb/50dc6c495c0c9188 10.0.0.9:2818 10.0.0.5:80 0.000 0.001 0.000 502 502 34 366 \"GET http://lb:80/orders HTTP/1.1\" \"curl/8.5.0\" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/tg/73e2d6bc24d8a067 \"Root=1-58337262-36d228ad5d99923122bbe355\" \"-\" \"-\" 0 2026-11-24T19:07:01.100000Z \"forward\" \"-\" \"-\" \"10.0.0.5:80\" \"502\" \"-\" \"-\"\n\
               http 2026-11-24T19:08:00.000001Z app/lb/50dc6c495c0c9188 10.0.0.9:2819 10.0.0.5:80 0.000 0.001 0.000 200 200 34 366 \"GET http://lb:80/ HTTP/1.1\" \"curl/8.5.0\" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/tg/73e2d6bc24d8a067 \"Root=1-58337262-36d228ad5d99923122bbe356\" \"-\" \"-\" 0 2026-11-24T19:07:59.999000Z \"forward\" \"-\" \"-\" \"10.0.0.5:80\" \"200\" \"-\" \"-\"\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // GCP Cloud Logging structured payload
        format: "GCP structured",
        file: "gcp.json",
        text: "{\"severity\":\"INFO\",\"message\":\"started\",\"timestamp\":\"2026-11-24T19:06:00.000000001Z\"}\n\
               {\"severity\":\"ERROR\",\"message\":\"query failed: connection refused\",\"timestamp\":\"2026-11-24T19:07:01.123456789Z\",\"logging.googleapis.com/trace\":\"projects/p/traces/abc\"}\n\
               {\"severity\":\"INFO\",\"message\":\"idle\",\"timestamp\":\"2026-11-24T19:08:00.000000001Z\"}\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // Azure diagnostic logs: seven fraction digits
        format: "Azure diagnostics",
        file: "azure.json",
        text: "{\"time\":\"2026-11-24T19:06:00.0000001Z\",\"level\":\"Informational\",\"category\":\"AppServiceAppLogs\",\"resultDescription\":\"started\"}\n\
               {\"time\":\"2026-11-24T19:07:01.1234567Z\",\"level\":\"Error\",\"category\":\"AppServiceAppLogs\",\"resultDescription\":\"query failed: Connection refused\"}\n\
               {\"time\":\"2026-11-24T19:08:00.0000001Z\",\"level\":\"Informational\",\"category\":\"AppServiceAppLogs\",\"resultDescription\":\"idle\"}\n",
        instant: "2026-11-24T19:07:01.123Z",
    },
    Row {
        // Windows CBS.log
        format: "Windows CBS",
        file: "CBS.log",
        text: "2026-11-24 19:06:00, Info                  CBS    Starting TrustedInstaller initialization.\n\
               2026-11-24 19:07:01, Error                 CBS    Failed to download from Windows Update: connection refused [HRESULT = 0x80072efd]\n\
               2026-11-24 19:08:00, Info                  CBS    Ending TrustedInstaller finalization.\n",
        instant: "2026-11-24T19:07:01.000Z",
    },
    Row {
        // Java util logging's two-line SimpleFormatter
        format: "java.util.logging",
        file: "catalina.out",
        text: "Nov 24, 2026 7:06:00 PM org.apache.catalina.startup.Catalina start\nINFO: Server startup\n\
               Nov 24, 2026 7:07:01 PM org.apache.catalina.core.StandardWrapperValve invoke\nSEVERE: Servlet.service() threw exception\njava.net.ConnectException: Connection refused\n\
               Nov 24, 2026 7:08:00 PM org.apache.catalina.startup.Catalina stop\nINFO: Stopping\n",
        instant: "2026-11-24T19:07:01.000Z",
    },
    Row {
        // Windows Event Viewer "Save as CSV" export
        format: "Windows event log CSV",
        file: "System.csv",
        text: "Level,Date and Time,Source,Event ID,Task Category\n\
               Information,11/24/2026 7:06:00 PM,Service Control Manager,7036,None,The Print Spooler service entered the running state.\n\
               Error,11/24/2026 7:07:01 PM,Orders Service,1000,None,\"Connection refused by 10.0.0.5:5432\"\n\
               Information,11/24/2026 7:08:00 PM,Service Control Manager,7036,None,The Print Spooler service entered the stopped state.\n",
        instant: "2026-11-24T19:07:01.000Z",
    },
];

#[test]
fn every_common_format_is_read_at_the_instant_written() {
    let mut wrong = Vec::new();
    for row in ROWS {
        let dir = Dir::new();
        let path = dir.write(row.file, row.text);
        let (s, out) = scan_json(&["--tz", "UTC", path.to_str().unwrap()]);
        // the failing line makes at least one signature, the lines around
        // it none, and every signature is at the failing line's instant
        let found: Vec<(&str, Option<&str>)> =
            s.signatures.iter().map(|x| (x.signature.as_str(), x.first_seen.as_deref())).collect();
        if found.is_empty() || found.iter().any(|&(_, at)| at != Some(row.instant)) {
            wrong.push(format!(
                "{}: written {}, found {found:?} {}",
                row.format,
                row.instant,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    assert!(wrong.is_empty(), "{} of {} formats misread:\n{}", wrong.len(), ROWS.len(), wrong.join("\n"));
}
