#!/usr/bin/env python3
"""Generate a realistic multi-system log corpus of any size, fast.

    python3 benches/gen_corpus.py OUTDIR --size 1G [--seed N] [--error-rate 0.015]

OUTDIR gets one directory per system, each holding a current log, a rotated
`.1` and an older gzipped `.2.gz` (logrotate with delaycompress):

    crm/       Java/Spring connector, logback lines (with Java stack traces)
    erp/       ERP API, JSON lines
    gateway/   nginx access log (+ a small nginx error.log)
    webhooks/  webhook relay, logfmt
    inventory/ Go service, Go `log` lines (with goroutine dumps)

How it is fast: every system has a pool of a few thousand pre-rendered line
variants (variable parts already filled in) with two placeholders left, one for
"the second" and one for the sub-second digits. From the pool it builds a few
hundred "one second of traffic" chunks with sorted sub-second digits. Writing
is then, per second and per system, one `bytes.replace` of the second
placeholder on a chunk picked at random, appended to a big block that is
written in one call. Timestamps advance one second per step, the same clock
for every system, so all systems cover the same window.

--size counts uncompressed log bytes (what a scanner reads); the output is at
least that, overshooting by at most one second of traffic. Only the standard
library is used.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
import time

SEC = "\x01"   # placeholder: the timestamp up to the second, format per stream
FRAC = "\x02"  # placeholder: the sub-second digits, filled when chunks are built
SEC_B = SEC.encode()

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# Corpus start: 2026-11-24 00:00:00 UTC.
START_EPOCH = 1795478400


def sec_formatter(kind: str):
    """Returns f(epoch_second) -> bytes for the part of the timestamp up to the second."""
    if kind == "logback":
        return lambda t: time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)).encode()
    if kind == "iso":
        return lambda t: time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)).encode()
    if kind == "go":
        return lambda t: time.strftime("%Y/%m/%d %H:%M:%S", time.gmtime(t)).encode()
    if kind == "nginx":
        def f(t):
            g = time.gmtime(t)
            return b"%02d/%s/%04d:%02d:%02d:%02d" % (
                g.tm_mday, MONTHS[g.tm_mon - 1].encode(), g.tm_year, g.tm_hour, g.tm_min, g.tm_sec)
        return f
    raise ValueError(kind)


# ---------------------------------------------------------------------------
# shared vocabulary

class Vocab:
    def __init__(self, rng: random.Random):
        self.rng = rng
        hexd = "0123456789abcdef"
        # request ids shared by all systems, so ids cross systems as in real traffic
        self.req_ids = ["req-" + "".join(rng.choice(hexd) for _ in range(12)) for _ in range(20000)]
        # some ids deliberately carry 401/404/500/503 as substrings
        for i in range(0, 20000, 97):
            self.req_ids[i] = "req-" + rng.choice(["401", "404", "500", "503", "429"]) + "".join(
                rng.choice(hexd) for _ in range(9))
        self.trace_ids = ["".join(rng.choice(hexd) for _ in range(32)) for _ in range(5000)]
        self.skus = ["SKU-%05d" % rng.randint(1000, 99999) for _ in range(3000)] + \
                    ["SKU-404%02d" % i for i in range(20)] + ["SKU-500%02d" % i for i in range(20)]
        self.accounts = ["ACC-%06d" % rng.randint(100000, 999999) for _ in range(3000)]
        self.orders = ["ORD-%07d" % rng.randint(1000000, 9999999) for _ in range(3000)] + \
                      ["ORD-401%04d" % rng.randint(0, 9999) for _ in range(30)]
        self.ips = ["10.0.%d.%d" % (rng.randint(0, 7), rng.randint(2, 254)) for _ in range(300)] + \
                   ["172.16.%d.%d" % (rng.randint(0, 3), rng.randint(2, 254)) for _ in range(50)] + \
                   ["203.0.113.%d" % rng.randint(2, 254) for _ in range(40)]

    def rid(self):
        return self.rng.choice(self.req_ids)

    def ms(self, lo=1, hi=400):
        # long-tailed durations; 401/404/500 show up naturally
        r = self.rng.random()
        if r < 0.7:
            return self.rng.randint(lo, hi // 4 + 1)
        if r < 0.95:
            return self.rng.randint(lo, hi)
        return self.rng.randint(hi, hi * 6)

    def hexs(self, n):
        return "%0*x" % (n, self.rng.getrandbits(4 * n))


# ---------------------------------------------------------------------------
# crm: Spring Boot connector, logback `%d{yyyy-MM-dd HH:mm:ss,SSS} %-5level [%thread] %logger{36} - %msg%n`

ERP_BASE = "https://erp.internal.acme.io"
ERP_PATHS = ["/api/v2/orders", "/api/v2/accounts", "/api/v2/invoices", "/api/v2/products", "/api/v2/customers",
             "/api/v2/orders/batch", "/api/v2/price-lists"]


def crm_line(level, thread, logger, msg):
    return "%s%s %-5s [%s] %s - %s" % (SEC, "," + FRAC, level, thread, logger, msg)


def crm_normal(v: Vocab):
    r = v.rng
    k = r.randrange(14)
    worker = "sync-worker-%d" % r.randint(1, 8)
    exec_t = "http-nio-8080-exec-%d" % r.randint(1, 40)
    rid = v.rid()
    if k == 0:
        path = r.choice(["/api/sync/accounts", "/api/sync/orders", "/api/accounts/%s" % r.choice(v.accounts),
                         "/actuator/health", "/api/webhooks/erp"])
        m = r.choice(["GET", "POST", "PUT"])
        return [crm_line("INFO", exec_t, "c.a.crm.web.RequestLoggingFilter",
                         "%s %s -> %d in %d ms request_id=%s" % (m, path, r.choice([200, 200, 200, 201, 204, 304]),
                                                                  v.ms(), rid))]
    if k == 1:
        path = r.choice(ERP_PATHS)
        return [crm_line("DEBUG", worker, "c.a.crm.erp.ErpClient",
                         "-> %s %s%s request_id=%s bytes=%d" % (r.choice(["POST", "PUT", "GET"]), ERP_BASE, path, rid,
                                                                r.randint(120, 9000)))]
    if k == 2:
        st = r.choice(["200 OK", "201 Created", "201 Created", "204 No Content", "200 OK"])
        return [crm_line("INFO", worker, "c.a.crm.erp.ErpClient",
                         "<- %s %s request_id=%s duration_ms=%d" % (st, r.choice(ERP_PATHS), rid, v.ms(5, 900)))]
    if k == 3:
        sql = r.choice([
            "select a1_0.id,a1_0.external_id,a1_0.name,a1_0.updated_at from account a1_0 where a1_0.updated_at>? order by a1_0.updated_at limit ?",
            "update sync_queue set status=?,attempts=?,next_attempt_at=? where id=?",
            "insert into sync_log (entity_type,entity_id,request_id,status,created_at) values (?,?,?,?,?)",
            "select o1_0.id,o1_0.account_id,o1_0.total_cents,o1_0.currency from sales_order o1_0 where o1_0.id=?",
            "select count(*) from sync_queue s1_0 where s1_0.status=?",
        ])
        return [crm_line("DEBUG", worker, "org.hibernate.SQL", sql)]
    if k == 4:
        return [crm_line("INFO", "scheduling-1", "c.a.crm.sync.SyncScheduler",
                         "Sync batch %d finished: %d accounts, %d orders, %d skipped in %d ms (queue depth %d)" % (
                             r.randint(10000, 99999), r.randint(0, 50), r.randint(0, 120), r.randint(0, 4),
                             v.ms(50, 4000), r.randint(0, 40)))]
    if k == 5:
        sku = r.choice(v.skus)
        if r.random() < 0.8:
            return [crm_line("DEBUG", worker, "c.a.crm.cache.ProductCache",
                             "cache hit product sku=%s age_ms=%d" % (sku, r.randint(10, 600000)))]
        return [crm_line("DEBUG", worker, "c.a.crm.cache.ProductCache",
                         "cache miss product sku=%s, loading from ERP request_id=%s" % (sku, rid))]
    if k == 6:
        return [crm_line("INFO", worker, "c.a.crm.auth.TokenProvider",
                         r.choice(["Obtained new access token for client crm-connector, token expires in 3600 s",
                                   "Access token still valid (expires in %d s), reusing" % r.randint(60, 3599),
                                   "Refreshing access token 60 s before expiry"]))]
    if k == 7:
        return [crm_line("DEBUG", "HikariPool-1 housekeeper", "com.zaxxer.hikari.pool.HikariPool",
                         "HikariPool-1 - Pool stats (total=20, active=%d, idle=%d, waiting=0)" % (
                             a := r.randint(0, 12), 20 - a))]
    if k == 8:
        o = r.choice(v.orders)
        return [crm_line("INFO", worker, "c.a.crm.sync.OrderSyncService",
                         "Order %s pushed to ERP as erp_id=%d (status=201, %d lines, total=%d.%02d EUR) request_id=%s" % (
                             o, r.randint(400000, 999999), r.randint(1, 30), r.randint(1, 9000), r.randint(0, 99), rid))]
    if k == 9:
        return [crm_line("DEBUG", exec_t, "o.s.web.servlet.DispatcherServlet",
                         r.choice(["Completed 200 OK", "Completed 201 CREATED", "Completed 204 NO_CONTENT",
                                   "Completed 304 NOT_MODIFIED"]))]
    if k == 10:
        return [crm_line("INFO", exec_t, "c.a.crm.webhook.WebhookController",
                         "Received webhook event=%s id=evt_%s signature=valid request_id=%s" % (
                             r.choice(["account.updated", "order.created", "invoice.paid", "product.changed"]),
                             v.hexs(16), rid))]
    if k == 11:
        a = r.choice(v.accounts)
        return [crm_line("INFO", worker, "c.a.crm.sync.AccountSyncService",
                         "Account %s upserted in ERP (customer_no=%d, changed fields=%d) request_id=%s" % (
                             a, r.randint(10000, 99999), r.randint(1, 9), rid))]
    if k == 12:
        return [crm_line("DEBUG", worker, "c.a.crm.sync.RetryPolicy",
                         "retry budget ok: attempts=0/5 backoff_ms=%d timeout_ms=30000" % r.choice([500, 1000, 2000]))]
    return [crm_line("INFO", "scheduling-1", "c.a.crm.sync.SyncQueueMonitor",
                     "sync queue depth=%d oldest_age_s=%d throughput=%d/min" % (
                         r.randint(0, 40), r.randint(0, 90), r.randint(200, 900)))]


JAVA_NPE_TRACE = [
    "java.lang.NullPointerException: Cannot invoke \"com.acme.crm.model.Account.getExternalId()\" because \"account\" is null",
    "\tat com.acme.crm.sync.AccountMapper.toErp(AccountMapper.java:87)",
    "\tat com.acme.crm.sync.AccountSyncService.push(AccountSyncService.java:142)",
    "\tat com.acme.crm.sync.SyncWorker.process(SyncWorker.java:64)",
    "\tat java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1144)",
    "\tat java.base/java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:642)",
    "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
]


def crm_error(v: Vocab):
    r = v.rng
    worker = "sync-worker-%d" % r.randint(1, 8)
    exec_t = "http-nio-8080-exec-%d" % r.randint(1, 40)
    rid = v.rid()
    path = r.choice(ERP_PATHS)
    k = r.randrange(12)
    if k == 0:
        return [crm_line("ERROR", worker, "c.a.crm.erp.ErpClient",
                         "ERP call failed POST %s request_id=%s: org.springframework.web.client.HttpClientErrorException$Unauthorized: "
                         "401 Unauthorized: \"{\"error\":\"invalid_token\",\"error_description\":\"Access token expired\"}\"" % (path, rid))]
    if k == 1:
        return [crm_line("WARN", worker, "c.a.crm.auth.TokenProvider",
                         "OAuth token expired for client crm-connector, refreshing (request_id=%s)" % rid)]
    if k == 2:
        return [crm_line("WARN", worker, "c.a.crm.erp.ErpClient",
                         "ERP rate limited: 429 Too Many Requests on POST %s, Retry-After: %d s request_id=%s" % (
                             path, r.choice([5, 10, 30, 60]), rid))]
    if k == 3:
        field = r.choice(["billing_address.postal_code", "customer.email", "lines[3].quantity", "currency", "vat_id"])
        return [crm_line("ERROR", worker, "c.a.crm.erp.ErpClient",
                         "ERP rejected payload: org.springframework.web.client.HttpClientErrorException$BadRequest: 400 Bad Request: "
                         "\"{\"error\":\"validation_failed\",\"details\":[{\"field\":\"%s\",\"message\":\"must not be blank\"}]}\" request_id=%s" % (
                             field, rid))]
    if k == 4:
        f = r.choice(["tax_code", "customer_ref", "delivery_window", "discount_pct"])
        return [crm_line("ERROR", worker, "c.a.crm.erp.ErpResponseParser",
                         "Could not read ERP response for request_id=%s: com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException: "
                         "Unrecognized field \"%s\" (class com.acme.crm.erp.dto.ErpOrder), not marked as ignorable "
                         "(14 known properties: \"id\", \"status\", \"lines\", \"total\", \"currency\", ...])" % (rid, f))]
    if k == 5:
        return [crm_line("WARN", worker, "c.a.crm.erp.ErpClient",
                         "I/O error on POST request for \"%s%s\": Read timed out; nested exception is "
                         "java.net.SocketTimeoutException: Read timed out (request_id=%s, attempt %d/5)" % (
                             ERP_BASE, path, rid, r.randint(1, 3)))]
    if k == 6:
        return [crm_line("ERROR", worker, "c.a.crm.erp.ErpClient",
                         "org.springframework.web.client.ResourceAccessException: I/O error on GET request for "
                         "\"%s/api/v2/products/%s\": Connection refused; nested exception is java.net.ConnectException: "
                         "Connection refused" % (ERP_BASE, r.choice(v.skus)))]
    if k == 7:
        return [crm_line("ERROR", worker, "c.a.crm.erp.ErpClient",
                         "ERP call failed: org.springframework.web.client.HttpServerErrorException$ServiceUnavailable: "
                         "503 Service Unavailable: \"{\"error\":\"maintenance\",\"retry_after\":120}\" request_id=%s" % rid)]
    if k == 8:
        return [crm_line("WARN", exec_t, "c.a.crm.webhook.WebhookController",
                         "Rejected webhook evt_%s: signature verification failed (X-Acme-Signature does not match computed HMAC-SHA256)" % v.hexs(16))]
    if k == 9:
        return [crm_line("WARN", worker, "c.a.crm.cache.ProductCache",
                         "ERP lookup failed: org.springframework.web.client.HttpClientErrorException$NotFound: 404 Not Found: "
                         "\"{\"error\":\"not_found\",\"message\":\"product %s does not exist\"}\"" % r.choice(v.skus))]
    if k == 10:
        head = crm_line("ERROR", exec_t, "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                        "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception "
                        "[Request processing failed: java.lang.NullPointerException] with root cause")
        return [head] + JAVA_NPE_TRACE[: r.randint(4, len(JAVA_NPE_TRACE))]
    prop = r.choice(["erp.oauth.client-secret", "erp.api.base-url", "crm.webhook.signing-secret"])
    return [crm_line("ERROR", "main", "o.s.boot.SpringApplication",
                     "Application run failed: java.lang.IllegalArgumentException: Could not resolve placeholder '%s' "
                     "in value \"${%s}\"" % (prop, prop))]


# ---------------------------------------------------------------------------
# erp: JSON lines

def erp_line(level, logger, msg, extra):
    return ('{"ts":"%s.%sZ","level":"%s","logger":"%s","msg":%s,' % (SEC, FRAC, level, logger, json.dumps(msg))
            + json.dumps(extra, separators=(",", ":"))[1:])


def erp_normal(v: Vocab):
    r = v.rng
    k = r.randrange(8)
    rid = v.rid()
    if k <= 2:
        m = r.choice(["GET", "POST", "POST", "PUT", "GET"])
        st = {"GET": r.choice([200, 200, 304]), "POST": r.choice([201, 200]), "PUT": r.choice([200, 204])}[m]
        return [erp_line("info", "erp.http", "request completed",
                         {"method": m, "path": r.choice(ERP_PATHS), "status": st, "duration_ms": v.ms(1, 600),
                          "bytes": r.randint(90, 20000), "request_id": rid,
                          "client_id": r.choice(["crm-connector", "crm-connector", "inventory-svc", "bi-export"])})]
    if k == 3:
        return [erp_line("debug", "erp.db", "query",
                         {"sql": r.choice(["SELECT id, status, total_cents FROM orders WHERE id = $1",
                                           "INSERT INTO orders (external_ref, customer_id, total_cents) VALUES ($1, $2, $3) RETURNING id",
                                           "SELECT sku, stock, price_cents FROM products WHERE sku = ANY($1)",
                                           "UPDATE customers SET updated_at = now() WHERE customer_no = $1"]),
                          "rows": r.randint(0, 50), "duration_ms": round(r.random() * 40, 3), "request_id": rid})]
    if k == 4:
        return [erp_line("debug", "erp.cache", r.choice(["cache hit", "cache hit", "cache miss"]),
                         {"key": "product:" + r.choice(v.skus), "ttl_s": r.choice([300, 600, 3600]), "request_id": rid})]
    if k == 5:
        return [erp_line("info", "erp.auth", "token validated",
                         {"client_id": "crm-connector", "kid": r.choice(["k-2026-10", "k-2026-11"]),
                          "expires_in": r.randint(30, 3600), "request_id": rid})]
    if k == 6:
        return [erp_line("info", "erp.orders", "order created",
                         {"order_no": r.randint(400000, 999999), "external_ref": r.choice(v.orders),
                          "lines": r.randint(1, 40), "total_cents": r.randint(500, 5000000), "request_id": rid})]
    return [erp_line("info", "erp.jobs", "job finished",
                     {"job": r.choice(["invoice-run", "stock-sync", "price-recalc", "ledger-close"]),
                      "duration_ms": v.ms(100, 9000), "processed": r.randint(0, 5000)})]


def erp_error(v: Vocab):
    r = v.rng
    rid = v.rid()
    k = r.randrange(10)
    path = r.choice(ERP_PATHS)
    if k == 0:
        return [erp_line("warn", "erp.auth", "token validation failed",
                         {"error": "invalid_token", "reason": "JWT signature does not match locally computed signature",
                          "status": 401, "client_id": "crm-connector", "path": path, "request_id": rid})]
    if k == 1:
        return [erp_line("warn", "erp.auth", "access token expired",
                         {"error": "invalid_token", "status": 401, "client_id": "crm-connector", "request_id": rid})]
    if k == 2:
        return [erp_line("warn", "erp.ratelimit", "rate limit exceeded",
                         {"status": 429, "client_id": r.choice(["crm-connector", "bi-export"]), "limit": "600/min",
                          "retry_after_s": 30, "request_id": rid})]
    if k == 3:
        return [erp_line("warn", "erp.http", "request validation failed",
                         {"status": 400, "path": path, "errors": ["customer.email: must be a well-formed email address"],
                          "request_id": rid})]
    if k == 4:
        return [erp_line("info", "erp.products", "product not found",
                         {"status": 404, "sku": r.choice(v.skus), "path": "/api/v2/products", "request_id": rid})]
    if k == 5:
        return [erp_line("error", "erp.http", "unhandled exception",
                         {"status": 500, "path": path, "exception": "java.lang.NullPointerException",
                          "detail": "Cannot invoke \"Customer.getPriceList()\" because \"customer\" is null",
                          "request_id": rid})]
    if k == 6:
        return [erp_line("error", "erp.db", "database connection failed",
                         {"error": "dial tcp 10.0.4.21:5432: connect: connection refused", "pool": "primary"})]
    if k == 7:
        return [erp_line("error", "erp.upstream", "upstream unavailable",
                         {"status": 503, "upstream": "tax-service", "error": "circuit breaker open", "request_id": rid})]
    if k == 8:
        return [erp_line("error", "erp.tax", "tax-service call failed",
                         {"error": "context deadline exceeded", "timeout_ms": 5000, "request_id": rid})]
    return [erp_line("error", "erp.config", "missing configuration",
                     {"error": "required setting OAUTH_JWKS_URL is not set"})]


# ---------------------------------------------------------------------------
# gateway: nginx access log, combined + $request_time + $request_id

UAS = ["acme-crm-connector/3.4.1 (Java/17.0.9)", "Go-http-client/1.1", "kube-probe/1.29",
       "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
       "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
       "curl/8.5.0", "PostmanRuntime/7.42.0", "acme-webhook-relay/1.9.2"]
GW_PATHS = ["/api/sync/accounts", "/api/sync/orders", "/api/sync", "/api/orders", "/api/accounts/search",
            "/api/products?page=%d", "/healthz", "/static/app.%s.js", "/api/webhooks/erp", "/v2/stock/%s"]


def gw_line(v: Vocab, method, path, status, size, rt):
    return '%s - - [%s +0000] "%s %s HTTP/1.1" %d %d "-" "%s" %.3f %s' % (
        v.rng.choice(v.ips), SEC, method, path, status, size, v.rng.choice(UAS), rt, v.rid())


def gw_path(v):
    p = v.rng.choice(GW_PATHS)
    if "%d" in p:
        return p % v.rng.randint(1, 60)
    if "%s" in p:
        return p % (v.hexs(8) if "static" in p else v.rng.choice(v.skus))
    return p


def gw_normal(v: Vocab):
    r = v.rng
    m = r.choice(["GET", "GET", "POST", "POST", "PUT", "DELETE"])
    st = r.choice([200, 200, 200, 200, 201, 204, 304])
    return [gw_line(v, m, gw_path(v), st, r.randint(0, 40000) if st != 204 else 0, v.ms(1, 500) / 1000)]


def gw_error(v: Vocab):
    r = v.rng
    st = r.choice([400, 401, 403, 404, 404, 429, 500, 502, 503, 504])
    rt = {504: 60.0 + r.random(), 502: r.random() * 3}.get(st, v.ms(1, 200) / 1000)
    return [gw_line(v, r.choice(["GET", "POST", "PUT"]), gw_path(v), st, r.randint(150, 600), rt)]


def gw_errorlog(v: Vocab):
    r = v.rng
    cid = r.randint(100000, 9999999)
    pid = r.randint(20, 40)
    up = "10.0.2.%d:8080" % r.randint(10, 30)
    req = '"%s %s HTTP/1.1"' % (r.choice(["POST", "GET"]), gw_path(v))
    k = r.randrange(4)
    if k == 0:
        msg = "upstream timed out (110: Connection timed out) while reading response header from upstream"
        lvl = "error"
    elif k == 1:
        msg = "connect() failed (111: Connection refused) while connecting to upstream"
        lvl = "error"
    elif k == 2:
        msg = "no live upstreams while connecting to upstream"
        lvl = "error"
    else:
        msg = "upstream server temporarily disabled while reading response header from upstream"
        lvl = "warn"
    return ['%s [%s] %d#%d: *%d %s, client: %s, server: api.acme.io, request: %s, upstream: "http://%s/api/sync", host: "api.acme.io"' % (
        SEC, lvl, pid, pid, cid, msg, r.choice(v.ips), req, up)]


# ---------------------------------------------------------------------------
# webhooks: logfmt

HOOK_ENDPOINTS = ["https://hooks.partner-a.example/acme", "https://api.shopfront.example/webhooks/erp",
                  "https://crm.internal.acme.io/api/webhooks/erp", "https://integrations.logistics.example/in/acme"]


def wh_line(level, msg, rest):
    return 'time=%s.%sZ level=%s msg="%s" %s' % (SEC, FRAC, level, msg, rest)


def wh_normal(v: Vocab):
    r = v.rng
    ev = r.choice(["order.created", "order.updated", "invoice.paid", "account.updated", "stock.changed"])
    k = r.randrange(4)
    if k <= 1:
        return [wh_line("info", "webhook delivered",
                        "event=%s endpoint=%s delivery_id=dlv_%s attempt=1 status=%d duration_ms=%d request_id=%s" % (
                            ev, r.choice(HOOK_ENDPOINTS), v.hexs(12), r.choice([200, 200, 202, 204]), v.ms(20, 800), v.rid()))]
    if k == 2:
        return [wh_line("debug", "event enqueued",
                        "event=%s source=erp queue=outbound depth=%d request_id=%s" % (ev, r.randint(0, 30), v.rid()))]
    return [wh_line("info", "signature computed",
                    "event=%s alg=hmac-sha256 key_id=whk_%s bytes=%d" % (ev, v.hexs(6), r.randint(200, 6000)))]


def wh_error(v: Vocab):
    r = v.rng
    ep = r.choice(HOOK_ENDPOINTS)
    host = ep.split("/")[2]
    k = r.randrange(7)
    base = "endpoint=%s delivery_id=dlv_%s attempt=%d request_id=%s" % (ep, v.hexs(12), r.randint(1, 6), v.rid())
    if k == 0:
        return [wh_line("error", "webhook delivery failed", base + ' status=503 error="503 Service Unavailable"')]
    if k == 1:
        return [wh_line("warn", "webhook signature verification failed",
                        base + ' error="signature mismatch: expected sha256=%s got sha256=%s"' % (v.hexs(16), v.hexs(16)))]
    if k == 2:
        return [wh_line("error", "webhook delivery failed",
                        base + ' error="Post \\"%s\\": dial tcp 203.0.113.%d:443: connect: connection refused"' % (ep, r.randint(2, 250)))]
    if k == 3:
        return [wh_line("error", "webhook delivery failed",
                        base + ' error="Post \\"%s\\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"' % ep)]
    if k == 4:
        return [wh_line("error", "webhook delivery failed", base + ' status=410 error="endpoint gone, disabling subscription"')]
    if k == 5:
        return [wh_line("error", "webhook delivery failed",
                        base + ' error="Post \\"%s\\": tls: failed to verify certificate: x509: certificate has expired or is not yet valid"' % ep)]
    return [wh_line("warn", "webhook delivery failed",
                    base + ' status=404 error="404 Not Found" host=%s' % host)]


# ---------------------------------------------------------------------------
# inventory: Go std log with Lmicroseconds|Lshortfile

def go_line(msg):
    return "%s.%s %s" % (SEC, FRAC, msg)


def inv_normal(v: Vocab):
    r = v.rng
    k = r.randrange(5)
    if k <= 2:
        sku = r.choice(v.skus)
        return [go_line("server.go:231: %s /v2/stock/%s %d %.3fms req=%s bytes=%d" % (
            r.choice(["GET", "GET", "PUT"]), sku, r.choice([200, 200, 200, 204, 304]), v.ms(1, 40) / 7, v.rid(),
            r.randint(80, 2000)))]
    if k == 3:
        return [go_line("sync.go:74: erp stock sync page=%d items=%d took=%dms" % (
            r.randint(1, 60), r.randint(50, 500), v.ms(20, 1500)))]
    return [go_line("cache.go:51: stock cache refreshed entries=%d hit_ratio=0.%02d" % (r.randint(1000, 90000), r.randint(60, 99)))]


GO_PANIC = [
    "goroutine 18734 [running]:",
    "net/http.(*conn).serve.func1()",
    "\t/usr/local/go/src/net/http/server.go:1947 +0xbe",
    "panic({0x9a3b20?, 0xe1c4a0?})",
    "\t/usr/local/go/src/runtime/panic.go:785 +0x132",
    "acme.io/inventory/internal/stock.(*Service).Reserve(0x0, {0xc0004a2e40, 0x9})",
    "\t/src/internal/stock/service.go:118 +0x3a",
    "acme.io/inventory/internal/api.(*Handler).reserve(0xc000132000, {0xb0e5d8, 0xc0003f21c0}, 0xc0002c6a00)",
    "\t/src/internal/api/handler.go:96 +0x1f4",
]


def inv_error(v: Vocab):
    r = v.rng
    k = r.randrange(6)
    if k == 0:
        return [go_line('sync.go:88: ERROR erp stock sync failed: Get "%s/api/v2/products?page=%d": net/http: request canceled '
                        'while waiting for connection (Client.Timeout exceeded while awaiting headers)' % (ERP_BASE, r.randint(1, 60)))]
    if k == 1:
        return [go_line('sync.go:92: ERROR erp stock sync failed: unexpected status 429 Too Many Requests (retry after 30s)')]
    if k == 2:
        return [go_line('db.go:40: ERROR reserve stock: dial tcp 10.0.5.12:5432: connect: connection refused')]
    if k == 3:
        return [go_line("server.go:3489: http: panic serving %s:%d: runtime error: invalid memory address or nil pointer dereference" % (
            r.choice(v.ips), r.randint(30000, 65000)))] + GO_PANIC[: r.randint(5, len(GO_PANIC))]
    if k == 4:
        return [go_line('sync.go:88: ERROR erp stock sync failed: unexpected status 401 Unauthorized: {"error":"invalid_token"}')]
    return [go_line('main.go:57: config: missing required key "ERP_CLIENT_SECRET"')]


# ---------------------------------------------------------------------------

class Stream:
    """One log stream (a rotated family of files) of one system."""

    def __init__(self, system, base, ts_kind, frac_digits, rate, normal, error, error_only=False, rotate=True):
        self.system, self.base, self.ts_kind = system, base, ts_kind
        self.frac_digits, self.rate = frac_digits, rate
        self.normal, self.error = normal, error
        self.error_only, self.rotate = error_only, rotate
        self.sec = sec_formatter(ts_kind)


def streams():
    return [
        Stream("crm", "app.log", "logback", 3, 45, crm_normal, crm_error),
        Stream("erp", "app.log", "iso", 3, 55, erp_normal, erp_error),
        Stream("gateway", "access.log", "nginx", 0, 90, gw_normal, gw_error),
        Stream("gateway", "error.log", "go", 0, 0.6, None, gw_errorlog, error_only=True, rotate=False),
        Stream("webhooks", "app.log", "iso", 3, 14, wh_normal, wh_error),
        Stream("inventory", "app.log", "go", 6, 35, inv_normal, inv_error),
    ]


def build_chunks(st: Stream, v: Vocab, rng: random.Random, err_rate: float, rate: float, n_chunks: int,
                 pool_n=3000):
    """Pre-render `n_chunks` one-second chunks: (bytes with SEC placeholders, number of lines)."""
    normal_pool = [st.normal(v) for _ in range(pool_n)] if st.normal else []
    error_pool = [st.error(v) for _ in range(max(50, pool_n // 8))]
    chunks = []
    for _ in range(n_chunks):
        if st.error_only:
            # sparse: Poisson-like number of lines with mean `rate`
            n = 0
            while rng.random() < rate / (1 + rate):
                n += 1
        else:
            n = max(1, int(rng.uniform(0.5, 1.5) * rate + 0.5))
        fracs = sorted(rng.randrange(10 ** st.frac_digits) for _ in range(n)) if st.frac_digits else [0] * n
        out = []
        nlines = 0
        for f in fracs:
            if st.error_only or rng.random() < err_rate:
                lines = rng.choice(error_pool)
            else:
                lines = rng.choice(normal_pool)
            fs = "%0*d" % (st.frac_digits, f) if st.frac_digits else ""
            out.append(lines[0].replace(FRAC, fs))
            out.extend(lines[1:])
            nlines += len(lines)
        text = ("\n".join(out) + "\n") if out else ""
        chunks.append((text.encode("ascii"), nlines))
    return chunks


def parse_size(s: str) -> int:
    s = s.strip().upper().removesuffix("B").removesuffix("I")
    mult = 1
    if s and s[-1] in "KMGT":
        mult = 1024 ** ("KMGT".index(s[-1]) + 1)
        s = s[:-1]
    try:
        val = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError("bad size %r (use e.g. 500K, 200M, 1G)" % s)
    if val <= 0:
        raise argparse.ArgumentTypeError("size must be positive")
    return int(val * mult)


class Out:
    """Buffered writer for one stream; switches file at rotation boundaries."""

    FLUSH = 8 << 20

    def __init__(self, outdir, st: Stream):
        self.dir = os.path.join(outdir, st.system)
        os.makedirs(self.dir, exist_ok=True)
        self.st = st
        self.buf, self.buflen = [], 0
        self.f = None
        self.stage = -1
        self.files = []

    def open_stage(self, stage):
        base = self.st.base
        if not self.st.rotate:
            # not rotated: one file for the whole span
            if self.f is None:
                path = os.path.join(self.dir, base)
                self.f = open(path, "wb")
                self.files.append(path)
            self.stage = stage
            return
        self.flush()
        if self.f:
            self.f.close()
        name = {0: base + ".2.gz", 1: base + ".1", 2: base}[stage]
        path = os.path.join(self.dir, name)
        if stage == 0:
            self.f = gzip.GzipFile(path, "wb", compresslevel=1, mtime=0)
        else:
            self.f = open(path, "wb")
        self.files.append(path)
        self.stage = stage

    def add(self, b):
        self.buf.append(b)
        self.buflen += len(b)
        if self.buflen >= self.FLUSH:
            self.flush()

    def flush(self):
        if self.buf:
            self.f.write(b"".join(self.buf))
            self.buf, self.buflen = [], 0

    def close(self):
        self.flush()
        if self.f:
            self.f.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--size", type=parse_size, default=parse_size("1G"),
                    help="uncompressed bytes to write, with K/M/G suffix (default 1G)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--error-rate", type=float, default=0.015, help="share of error lines (default 0.015)")
    ap.add_argument("--chunks", type=int, default=600, help="pre-rendered one-second chunks per stream (default 600)")
    ap.add_argument("--gz-share", type=float, default=0.08, help="share of the time span in the .2.gz files")
    args = ap.parse_args(argv)
    if not 0 <= args.error_rate <= 1:
        ap.error("--error-rate must be within 0..1")

    t0 = time.perf_counter()
    rng = random.Random(args.seed)
    v = Vocab(rng)
    sts = streams()

    # Probe the average bytes per line of each stream to size the time span; for small corpora scale
    # the traffic rate down so that the corpus still covers at least ~10 minutes.
    probe = {id(st): build_chunks(st, v, random.Random(args.seed + 1), args.error_rate, st.rate, 20, pool_n=200)
             for st in sts}
    def real_len(st, c):  # bytes once the second placeholder is filled in
        return len(c) + c.count(SEC_B) * (len(st.sec(START_EPOCH)) - 1)

    bps = sum(sum(real_len(st, c) for c, _ in probe[id(st)]) / 20 for st in sts)
    scale = min(1.0, args.size / (bps * 600))
    pools = []
    for i, st in enumerate(sts):
        rate = max(st.rate * scale, 0.05 if st.error_only else 1)
        pools.append(build_chunks(st, v, random.Random(args.seed * 1000 + i), args.error_rate, rate, args.chunks))
    bps = sum(sum(real_len(st, c) for c, _ in p) / len(p) for st, p in zip(sts, pools))
    span = max(1, int(args.size / bps) + 1)
    cut1 = int(span * args.gz_share)
    cut2 = int(span * (args.gz_share + (1 - args.gz_share) / 2))
    t_build = time.perf_counter() - t0
    if os.environ.get("GEN_DEBUG"):
        print("debug: scale=%.3f bps=%.0f span=%d cuts=%d,%d" % (scale, bps, span, cut1, cut2), file=sys.stderr)

    outs = [Out(args.outdir, st) for st in sts]
    for o in outs:
        o.open_stage(0)
    total_bytes = 0
    total_lines = 0
    sel = random.Random(args.seed + 7)
    target = args.size
    sec = 0
    fmts = [st.sec for st in sts]
    n = args.chunks
    stage = 0
    while total_bytes < target:
        if stage == 0 and sec >= cut1:
            stage = 1
            for o in outs:
                o.open_stage(1)
        elif stage == 1 and sec >= cut2:
            stage = 2
            for o in outs:
                o.open_stage(2)
        t = START_EPOCH + sec
        cache = {}
        for i in range(len(sts)):
            chunk, nl = pools[i][sel.randrange(n)]
            if not nl:
                continue
            f = fmts[i]
            k = sts[i].ts_kind
            s = cache.get(k)
            if s is None:
                s = cache[k] = f(t)
            b = chunk.replace(SEC_B, s)
            outs[i].add(b)
            total_bytes += len(b)
            total_lines += nl
        sec += 1
    for o in outs:
        o.close()
    elapsed = time.perf_counter() - t0

    disk = 0
    nfiles = 0
    for o in outs:
        for p in o.files:
            disk += os.path.getsize(p)
            nfiles += 1
    end = START_EPOCH + sec
    print("wrote %d bytes (%.1f MiB uncompressed, %.1f MiB on disk), %d lines, %d files, %d systems under %s" % (
        total_bytes, total_bytes / 2**20, disk / 2**20, total_lines, nfiles, len({st.system for st in sts}), args.outdir))
    print("time span %s .. %s UTC (%d s); error rate %.3f; %.2f s (%.2f s pools), %.0f MB/s" % (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(START_EPOCH)), time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(end)),
        sec, args.error_rate, elapsed, t_build, total_bytes / elapsed / 1e6))
    return 0


if __name__ == "__main__":
    sys.exit(main())
