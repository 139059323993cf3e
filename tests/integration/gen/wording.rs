//! What real stacks write for each failure category: the line the failing
//! system logs (`failure`), the line its caller logs on the answer
//! (`mirror`), the HTTP status that travels between them, and Java/Python
//! stack traces. One `variant` per incident picks among real wordings
//! (Spring, Jackson, Hikari, axios, Go net/http, requests, nginx …).

use super::format::{Level, Stack};

/// Every category of the catalog a cause can have (INTERFACE.md).
pub const CATEGORIES: [&str; 11] = [
    "authentication",
    "rate_limit",
    "validation",
    "schema_mismatch",
    "timeout",
    "connectivity",
    "webhook",
    "not_found",
    "server_error",
    "unavailable",
    "configuration",
];

/// Categories an nginx system can originate (its own error.log wording).
pub const NGINX_CAUSES: [&str; 5] = ["rate_limit", "timeout", "connectivity", "unavailable", "not_found"];

/// The request being failed and who is involved.
pub struct Ctx<'a> {
    pub caller: &'a str,
    pub callee: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    /// The callee's base URL as the caller knows it.
    pub url: &'a str,
    pub client_ip: &'a str,
    /// A request-specific number (connection ids, event ids, durations).
    pub n: u64,
    /// Which of the real wordings this incident uses.
    pub variant: usize,
}

/// One line to log: level, component, message, structured fields, trace.
pub struct Said {
    pub level: Level,
    pub comp: &'static str,
    pub msg: String,
    pub kv: Vec<(&'static str, String)>,
    pub trace: Vec<String>,
}

fn said(level: Level, comp: &'static str, msg: String) -> Said {
    Said { level, comp, msg, kv: Vec::new(), trace: Vec::new() }
}

fn pick<'a>(v: usize, xs: &[&'a str]) -> &'a str {
    xs[v % xs.len()]
}

/// The HTTP status the failing system answers with (`bad_gateway` is the
/// 502 a caller passes up when its own call failed, `caller_timeout` the
/// 504 of a call that got no answer in time).
pub fn status(cat: &str) -> u16 {
    match cat {
        "authentication" | "webhook" => 401,
        "rate_limit" => 429,
        "validation" | "schema_mismatch" => 400,
        "timeout" | "caller_timeout" => 504,
        "not_found" => 404,
        "unavailable" => 503,
        "connectivity" | "bad_gateway" => 502,
        _ => 500,
    }
}

/// Whether a caller retries this answer.
pub fn retryable(cat: &str) -> bool {
    matches!(
        cat,
        "rate_limit"
            | "timeout"
            | "connectivity"
            | "server_error"
            | "unavailable"
            | "configuration"
            | "bad_gateway"
            | "caller_timeout"
    )
}

/// The category of the caller's view of the failure.
pub fn mirror_category(cat: &str) -> &'static str {
    match cat {
        "authentication" => "authentication",
        "rate_limit" => "rate_limit",
        "validation" | "schema_mismatch" => "validation",
        "timeout" | "caller_timeout" => "timeout",
        "webhook" => "webhook",
        "not_found" => "not_found",
        "unavailable" => "unavailable",
        _ => "server_error",
    }
}

fn reason(code: u16) -> &'static str {
    match code {
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Gateway Timeout",
    }
}

fn nginx_ctx(c: &Ctx, what: &str) -> String {
    format!(
        "*{} {what}, client: {}, server: {}, request: \"{} {} HTTP/1.1\", upstream: \"http://10.0.4.{}:8080{}\", host: \"{}.internal\"",
        c.n % 900_000 + 1000, c.client_ip, c.callee, c.method, c.path, c.n % 40 + 10, c.path, c.callee
    )
}

/// What the failing system logs for one failed request.
pub fn failure(cat: &str, stack: Stack, c: &Ctx) -> Said {
    use Level::*;
    use Stack::*;
    let v = c.variant;
    let field = pick(v, &["customerRef", "taxCode", "deliveryWindow", "priceListId"]);
    let mut s = match (cat, stack) {
        ("authentication", Java) => said(Warn, "auth", pick(v, &[
            "Bearer token rejected: invalid_token (An error occurred while attempting to decode the Jwt: Signed JWT rejected: Invalid signature)",
            "Authentication failed: org.springframework.security.oauth2.server.resource.InvalidBearerTokenException: Jwt expired at 2026-01-01T00:00:00Z",
            "Failed to authenticate since the JWT was invalid: invalid_token",
        ]).to_string()),
        ("authentication", Node) => said(Warn, "auth", format!("token validation failed: {}", pick(v, &["JsonWebTokenError: invalid signature", "TokenExpiredError: jwt expired", "invalid_token: audience mismatch"]))),
        ("authentication", Go) => said(Warn, "auth", format!("authentication failed: {}", pick(v, &["oidc: token is expired", "invalid_token: square/go-jose: error in cryptographic primitive", "401 Unauthorized: invalid api key"]))),
        ("authentication", _) => said(Warn, "auth", format!("Authentication failed for client {}: {}", c.caller, pick(v, &["invalid_token (Signature has expired)", "401 Unauthorized: invalid API key", "invalid_token (Signature verification failed)"]))),
        ("rate_limit", Nginx) => said(Error, "nginx", nginx_ctx(c, &format!("limiting requests, excess: {}.{:03} by zone \"api\"", 10 + c.n % 30, c.n % 1000))),
        ("rate_limit", Java) => said(Warn, "ratelimit", format!("Rate limit exceeded for client {}: 429 Too Many Requests (limit=600/min, remaining=0)", c.caller)),
        ("rate_limit", Node) => said(Warn, "ratelimit", format!("rate limit exceeded for {}: Too many requests, please try again later. (429)", c.caller)),
        ("rate_limit", Go) => said(Warn, "ratelimit", format!("rate limit exceeded client={} limit=100 window=1m status=429", c.caller)),
        ("rate_limit", _) => said(Warn, "ratelimit", format!("ratelimit 100 per 1 minute ({}) exceeded at endpoint: {} -> 429 Too Many Requests", c.caller, c.path)),
        ("validation", Java) => said(Warn, "web", format!("Resolved [org.springframework.web.bind.MethodArgumentNotValidException: Validation failed for argument [0]: [Field error in object 'orderDto' on field '{}': rejected value [null]; default message [must not be null]]]", field)),
        ("validation", Node) => said(Warn, "validation", format!("request validation failed: ValidationError: \"{field}\" is required (400 Bad Request)")),
        ("validation", Go) => said(Warn, "validation", format!("invalid request body: Key: 'Order.{field}' Error:Field validation for '{field}' failed on the 'required' tag")),
        ("validation", _) => said(Warn, "validation", format!("400 Bad Request: 1 validation error for OrderIn {field}: field required (type=value_error.missing)")),
        ("schema_mismatch", Java) => said(Error, "web", format!("JSON parse error: Unrecognized field \"{field}\" (class com.acme.{}.api.OrderDto), not marked as ignorable; nested exception is com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException: Unrecognized field \"{field}\" (class com.acme.{}.api.OrderDto), not marked as ignorable (14 known properties)", c.callee, c.callee)),
        ("schema_mismatch", Node) => said(Error, "validation", format!("payload schema mismatch: data must NOT have additional properties (additionalProperty: \"{field}\")")),
        ("schema_mismatch", Go) => said(Error, "api", pick(v, &["decode order: json: unknown field \"customerRef\"", "decode order: json: cannot unmarshal string into Go struct field Order.quantity of type int"]).to_string()),
        ("schema_mismatch", _) => said(Error, "api", format!("marshmallow.exceptions.ValidationError: {{'{field}': ['Unknown field.']}}")),
        ("timeout", Nginx) => said(Error, "nginx", nginx_ctx(c, "upstream timed out (110: Connection timed out) while reading response header from upstream")),
        ("timeout", Java) => said(Error, "db", pick(v, &[
            "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
            "Query timed out: org.springframework.dao.QueryTimeoutException: PreparedStatementCallback; SQL state [57014]; canceling statement due to statement timeout",
        ]).to_string()),
        ("timeout", Node) => said(Error, "db", pick(v, &["KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full.", "TimeoutError: ResourceRequest timed out"]).to_string()),
        ("timeout", Go) => said(Error, "store", pick(v, &["query orders: context deadline exceeded", "query orders: pq: canceling statement due to statement timeout"]).to_string()),
        ("timeout", _) => said(Error, "db", pick(v, &["psycopg2.errors.QueryCanceled: canceling statement due to statement timeout", "redis.exceptions.TimeoutError: Timeout reading from socket"]).to_string()),
        ("connectivity", Nginx) => said(Error, "nginx", nginx_ctx(c, "connect() failed (111: Connection refused) while connecting to upstream")),
        ("connectivity", Java) => said(Error, "db", pick(v, &[
            "Unable to connect to Redis; nested exception is io.lettuce.core.RedisConnectionException: Unable to connect to redis.internal:6379: java.net.ConnectException: Connection refused",
            "HikariPool-1 - Exception during pool initialization: com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure",
            "I/O error on GET request for \"https://tax.partner.example/v1/rates\": PKIX path building failed; nested exception is javax.net.ssl.SSLHandshakeException: PKIX path building failed",
        ]).to_string()),
        ("connectivity", Node) => said(Error, "db", pick(v, &["Error: connect ECONNREFUSED 10.0.4.12:5432", "Error: getaddrinfo ENOTFOUND redis.internal", "Error: read ECONNRESET"]).to_string()),
        ("connectivity", Go) => said(Error, "store", pick(v, &["dial tcp 10.0.4.12:5432: connect: connection refused", "dial tcp: lookup redis.internal on 10.0.0.2:53: no such host", "x509: certificate has expired or is not yet valid"]).to_string()),
        ("connectivity", _) => said(Error, "db", pick(v, &["redis.exceptions.ConnectionError: Error 111 connecting to redis.internal:6379. Connection refused.", "ConnectionRefusedError: [Errno 111] Connection refused", "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"]).to_string()),
        ("webhook", Java) => said(Warn, "webhook", format!("Webhook signature verification failed for event evt_{:016x} (header X-Signature): com.stripe.exception.SignatureVerificationException: No signatures found matching the expected signature for payload", c.n)),
        ("webhook", Node) => said(Warn, "webhook", format!("Webhook signature verification failed: No signatures found matching the expected signature for payload (event evt_{:016x})", c.n)),
        ("webhook", Go) => said(Warn, "webhook", format!("webhook: signature mismatch (X-Hub-Signature-256) delivery={:016x}", c.n)),
        ("webhook", _) => said(Warn, "webhook", format!("Webhook signature verification failed: invalid HMAC for delivery {:016x} from {}", c.n, c.caller)),
        ("not_found", Nginx) => said(Error, "nginx", nginx_ctx(c, &format!("open() \"/usr/share/nginx/html{}\" failed (2: No such file or directory)", c.path))),
        ("not_found", Java) => said(Warn, "web", format!("No mapping for {} {}: org.springframework.web.servlet.NoHandlerFoundException: No endpoint {} {}.", c.method, c.path, c.method, c.path)),
        ("not_found", Node) => said(Warn, "http", format!("Cannot {} {} (404 Not Found)", c.method, c.path)),
        ("not_found", Go) => said(Warn, "http", format!("no route for {} {}: 404 page not found", c.method, c.path)),
        ("not_found", _) => said(Warn, "django.request", format!("Not Found: {}", c.path)),
        ("server_error", Java) => said(Error, "web", format!("Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed: java.lang.NullPointerException: Cannot invoke \"com.acme.{}.Customer.getId()\" because \"customer\" is null] with root cause", c.callee)),
        ("server_error", Node) => said(Error, "http", "unhandled error: TypeError: Cannot read properties of undefined (reading 'id') (500 Internal Server Error)".to_string()),
        ("server_error", Go) => said(Error, "http", format!("http: panic serving {}:{}: runtime error: invalid memory address or nil pointer dereference", c.client_ip, 40_000 + c.n % 20_000)),
        ("server_error", _) => said(Error, "api", format!("Exception on {} [{}]: AttributeError: 'NoneType' object has no attribute 'id' (500 Internal Server Error)", c.path, c.method)),
        ("unavailable", Nginx) => said(Error, "nginx", nginx_ctx(c, "no live upstreams while connecting to upstream")),
        ("unavailable", Java) => said(Warn, "web", "Application is in maintenance mode, rejecting request: 503 Service Unavailable".to_string()),
        ("unavailable", Node) => said(Warn, "http", "503 Service Unavailable: server is draining connections (maintenance)".to_string()),
        ("unavailable", Go) => said(Warn, "http", "service unavailable: draining, answering 503 Service Unavailable".to_string()),
        ("unavailable", _) => said(Warn, "api", "503 Service Unavailable: The server is temporarily unable to service your request due to maintenance downtime".to_string()),
        ("configuration", Java) => said(Error, "config", format!("Could not resolve placeholder '{}.base-url' in value \"${{{}.base-url}}\": java.lang.IllegalArgumentException", pick(v, &["tax", "pricing", "ledger"]), pick(v, &["tax", "pricing", "ledger"]))),
        ("configuration", Node) => said(Error, "config", format!("Error: Missing required environment variable {}_API_KEY", pick(v, &["TAX", "PRICING", "LEDGER"]))),
        ("configuration", Go) => said(Error, "config", format!("config: required key {}_BASE_URL missing value", pick(v, &["TAX", "PRICING", "LEDGER"]))),
        ("configuration", _) => said(Error, "settings", format!("django.core.exceptions.ImproperlyConfigured: Set the {}_API_KEY environment variable", pick(v, &["TAX", "PRICING", "LEDGER"]))),
        (_, _) => said(Error, "nginx", nginx_ctx(c, "upstream prematurely closed connection while reading response header from upstream")),
    };
    if stack == Stack::Java && c.n % 3 != 0 {
        s.trace = java_trace(cat, c);
    }
    if stack == Stack::Python
        && matches!(cat, "server_error" | "configuration" | "connectivity" | "timeout")
        && c.n % 2 == 0
    {
        s.trace = python_trace(cat, &s.msg);
    }
    s
}

/// What the caller logs when the callee answers with the status of `cat`.
/// `None` for an nginx caller (its access line carries the status).
pub fn mirror(cat: &str, stack: Stack, c: &Ctx) -> Option<Said> {
    use Stack::*;
    let code = status(cat);
    let url = format!("{}{}", c.url, c.path);
    let msg = match stack {
        Nginx => return None,
        Java => {
            let cls = match code {
                400 => "HttpClientErrorException$BadRequest",
                401 => "HttpClientErrorException$Unauthorized",
                404 => "HttpClientErrorException$NotFound",
                429 => "HttpClientErrorException$TooManyRequests",
                500 => "HttpServerErrorException$InternalServerError",
                502 => "HttpServerErrorException$BadGateway",
                503 => "HttpServerErrorException$ServiceUnavailable",
                _ => "HttpServerErrorException$GatewayTimeout",
            };
            format!(
                "{} call failed {} {}: org.springframework.web.client.{cls}: {code} {}",
                c.callee,
                c.method,
                c.path,
                reason(code)
            )
        }
        Node => format!(
            "{} request failed: AxiosError: Request failed with status code {code} ({} {})",
            c.callee, c.method, url
        ),
        Go => {
            format!("call {}: unexpected status {code} {} from {} {}", c.callee, reason(code), c.method, url)
        }
        Python => format!(
            "requests.exceptions.HTTPError: {code} {} Error: {} for url: {url}",
            if code < 500 { "Client" } else { "Server" },
            reason(code)
        ),
    };
    let msg = if cat == "webhook" {
        format!("webhook delivery failed to {url}, will retry in 60s: {msg}")
    } else {
        msg
    };
    let level = if retryable(cat) { Level::Warn } else { Level::Error };
    let comp = if cat == "webhook" { "webhook" } else { "client" };
    Some(said(level, comp, msg))
}

/// The caller's own read timeout on a call that got no answer in time.
pub fn read_timeout(stack: Stack, c: &Ctx) -> Said {
    use Stack::*;
    let url = format!("{}{}", c.url, c.path);
    let msg = match stack {
        Nginx => return said(Level::Error, "nginx", nginx_ctx(c, "upstream timed out (110: Connection timed out) while reading response header from upstream")),
        Java => format!("I/O error on {} request for \"{url}\": Read timed out; nested exception is java.net.SocketTimeoutException: Read timed out", c.method),
        Node => format!("{} request failed: AxiosError: timeout of 30000ms exceeded (ECONNABORTED) {} {url}", c.callee, c.method),
        Go => format!("{} \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)", if c.method == "GET" { "Get" } else { "Post" }),
        Python => format!("requests.exceptions.ReadTimeout: HTTPConnectionPool(host='{}', port=8080): Read timed out. (read timeout=30)", c.callee),
    };
    said(Level::Warn, "client", msg)
}

/// An app's own request handling that gave up (its pool is exhausted).
pub fn handler_timeout(stack: Stack, method: &str, path: &str) -> Said {
    let msg = match stack {
        Stack::Java => format!("Async request timed out for {method} {path}: org.springframework.web.context.request.async.AsyncRequestTimeoutException (executor active=200/200)"),
        Stack::Node => format!("Response timeout for {method} {path}: request aborted after 30000 ms (503)"),
        Stack::Go => format!("http: Handler timeout serving {method} {path} after 30s"),
        _ => format!("[CRITICAL] WORKER TIMEOUT handling {method} {path} (pid:{})", 1000 + path.len()),
    };
    said(Level::Error, "http", msg)
}

/// A call refused by the caller's open circuit breaker.
pub fn breaker_open(stack: Stack, callee: &str) -> Said {
    let msg = match stack {
        Stack::Java => format!("io.github.resilience4j.circuitbreaker.CallNotPermittedException: CircuitBreaker '{callee}' is OPEN and does not permit further calls"),
        Stack::Node => format!("EOPENBREAKER: Breaker is open (circuit {callee})"),
        Stack::Go => format!("call {callee}: circuit breaker is open"),
        _ => format!("pybreaker.CircuitBreakerError: Failures threshold reached, circuit breaker is open ({callee})"),
    };
    said(Level::Warn, "resilience", msg)
}

/// The breaker's state change.
pub fn breaker_state(callee: &str, from: &str, to: &str) -> Said {
    said(Level::Warn, "resilience", format!("CircuitBreaker '{callee}' changed state from {from} to {to}"))
}

/// A periodic queue/outbox backlog warning.
pub fn backlog(stack: Stack, depth: u64, oldest_s: i64) -> Said {
    let msg = match stack {
        Stack::Java => format!("sync queue depth={depth} oldest_age_s={oldest_s} exceeds threshold 50"),
        Stack::Node => format!("outbox backlog: {depth} pending messages, oldest {oldest_s}s (threshold 50)"),
        Stack::Go => format!("queue backlog growing depth={depth} oldest_age={oldest_s}s"),
        _ => format!("Celery queue 'sync' backlog: {depth} tasks waiting, oldest {oldest_s}s"),
    };
    said(Level::Warn, "queue", msg)
}

fn java_trace(cat: &str, c: &Ctx) -> Vec<String> {
    let (exc, cause): (String, Option<&str>) = match cat {
        "authentication" => ("org.springframework.security.oauth2.server.resource.InvalidBearerTokenException: invalid_token".into(), Some("com.nimbusds.jose.proc.BadJWSException: Signed JWT rejected: Invalid signature")),
        "rate_limit" => ("io.github.resilience4j.ratelimiter.RequestNotPermitted: RateLimiter 'api' does not permit further calls".into(), None),
        "validation" => ("org.springframework.web.bind.MethodArgumentNotValidException: Validation failed for argument [0]".into(), None),
        "schema_mismatch" => ("org.springframework.http.converter.HttpMessageNotReadableException: JSON parse error".into(), Some("com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException: Unrecognized field, not marked as ignorable")),
        "timeout" => ("java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.".into(), None),
        "connectivity" => ("org.springframework.dao.DataAccessResourceFailureException: Unable to connect".into(), Some("java.net.ConnectException: Connection refused")),
        "webhook" => ("com.stripe.exception.SignatureVerificationException: No signatures found matching the expected signature for payload".into(), None),
        "not_found" => (format!("org.springframework.web.servlet.NoHandlerFoundException: No endpoint {} {}.", c.method, c.path), None),
        "server_error" => (format!("java.lang.NullPointerException: Cannot invoke \"com.acme.{}.Customer.getId()\" because \"customer\" is null", c.callee), None),
        "unavailable" => ("com.acme.platform.MaintenanceModeException: maintenance mode enabled".into(), None),
        _ => ("java.lang.IllegalArgumentException: Could not resolve placeholder".into(), None),
    };
    let pkg = format!("com.acme.{}", c.callee);
    let mut t = vec![exc];
    for (cls, m, line) in [
        ("web.OrderController", "create", 88),
        ("service.OrderService", "submit", 142),
        ("service.OrderService$$SpringCGLIB$$0", "submit", -1),
    ] {
        t.push(if line < 0 {
            format!("\tat {pkg}.{cls}.{m}(<generated>)")
        } else {
            format!("\tat {pkg}.{cls}.{m}({}.java:{line})", cls.rsplit('.').next().unwrap())
        });
    }
    for f in [
        "org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255)",
        "org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1089)",
        "org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1014)",
        "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:138)",
        "java.base/java.lang.Thread.run(Thread.java:1583)",
    ] {
        t.push(format!("\tat {f}"));
    }
    if let Some(cz) = cause {
        t.push(format!("Caused by: {cz}"));
        t.push("\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)".into());
        t.push(format!("\t... {} common frames omitted", 20 + c.n % 30));
    }
    t
}

fn python_trace(cat: &str, msg: &str) -> Vec<String> {
    let last = match cat {
        "configuration" => "KeyError: 'API_KEY'".to_string(),
        "server_error" => "AttributeError: 'NoneType' object has no attribute 'id'".to_string(),
        _ => msg.to_string(),
    };
    vec![
        "Traceback (most recent call last):".into(),
        "  File \"/app/.venv/lib/python3.12/site-packages/flask/app.py\", line 1511, in wsgi_app".into(),
        "    response = self.full_dispatch_request()".into(),
        "  File \"/app/service/orders.py\", line 74, in create_order".into(),
        "    customer = repo.find_customer(payload[\"customer_id\"])".into(),
        last,
    ]
}
