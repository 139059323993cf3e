#!/usr/bin/env python3
"""Generate the example incident in examples/incident/ (deterministic, fixed seed).

    python3 examples/make_incident.py [OUTDIR]     (default: examples/incident next to this script)

Three systems, one directory each:
    crm/      Java/Spring CRM connector, logback: connector.log (current) + connector.log.1 (rotated, older)
    erp/      ERP API, JSON lines: erp-api.log
    gateway/  nginx access log: access.log ($request_time $upstream_response_time $request_id at the end)

The story (all times on the CRM clock, 2026-11-24, UTC) is written up in TRUTH.md:
the ERP rotates its OAuth signing key at 19:07:00 with no overlap; from its next request it
rejects the CRM connector's cached token ("JWT signature does not match locally computed
signature", 401 invalid_token); the CRM retries with the same token, its sync queue backs
up, each rejection makes the ERP reload its JWKS under a lock so its latency climbs, the
CRM starts to see read timeouts, and the gateway answers /api/sync with 504 and then 502.
The ERP clock runs 4.2 s ahead of the CRM's: ERP timestamps are CRM time + 4.2 s.
"""

from __future__ import annotations

import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

SEED = 20261124
UTC = timezone.utc
DAY = datetime(2026, 11, 24, tzinfo=UTC)


def at(h, m, s=0.0):
    return (DAY + timedelta(hours=h, minutes=m, seconds=s)).timestamp()


START = at(18, 0)
END = at(20, 0)
ERP_SKEW = 4.2                   # ERP clock = CRM clock + 4.2 s
T_TOKEN_1 = at(18, 4, 12.318)    # CRM obtains access tokens (valid 3600 s)
T_TOKEN_2 = at(19, 4, 12.540)
T_ROTATE = at(19, 7, 0.0)        # ERP rotates its signing key (no overlap)
T_SLOW = at(19, 11, 0)           # JWKS reload lock contention starts to slow the ERP
T_TIMEOUTS = at(19, 14, 30)      # ERP latency for crm-connector passes the CRM's 30 s read timeout
T_502 = at(19, 19, 30)           # Tomcat threads exhausted, accept queue full: 502
CRM_ROTATE_AT = at(18, 55, 0)    # logback size-based rollover: older lines in connector.log.1

ERP_BASE = "https://erp.internal.acme.io"
OLD_KID, NEW_KID = "k-2026-11", "k-2026-12"
SIG_MSG = "JWT signature does not match locally computed signature."
R401_BODY = '{"error":"invalid_token","error_description":"JWT signature does not match locally computed signature"}'

rng = random.Random(SEED)
crm: list[tuple[float, str]] = []
erp: list[tuple[float, str]] = []
gw: list[tuple[float, str]] = []


def rid():
    return "req-%012x" % rng.getrandbits(48)


def fmt_crm(t):
    d = datetime.fromtimestamp(t, UTC)
    return d.strftime("%Y-%m-%d %H:%M:%S,") + "%03d" % (d.microsecond // 1000)


def fmt_erp(t):
    d = datetime.fromtimestamp(t + ERP_SKEW, UTC)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)


def fmt_gw(t):
    return datetime.fromtimestamp(t, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def C(t, level, thread, logger, msg, trace=()):
    crm.append((t, "%s %-5s [%s] %s - %s" % (fmt_crm(t), level, thread, logger, msg)))
    for line in trace:
        crm.append((t, line))


def E(t, level, logger, msg, **fields):
    head = '{"ts":"%s","level":"%s","logger":"%s","msg":%s' % (fmt_erp(t), level, logger, json.dumps(msg))
    rest = json.dumps(fields, separators=(",", ":"))[1:] if fields else "}"
    erp.append((t, head + ("," + rest if fields else rest)))


def G(t_end, ip, method, path, status, size, ua, rt, urt, request_id):
    gw.append((t_end, '%s - - [%s] "%s %s HTTP/1.1" %d %d "-" "%s" %.3f %s %s' % (
        ip, fmt_gw(t_end), method, path, status, size, ua, rt, urt, request_id)))


def lat(lo=0.018, hi=0.35):
    """A plausible ERP service time in seconds."""
    return min(hi * 3, rng.lognormvariate(-2.6, 0.6)) + lo


def erp_delay(t):
    """Extra latency of a crm-connector request: JWKS reload lock contention after T_SLOW."""
    if t < T_SLOW:
        return 0.0
    if t >= T_TIMEOUTS:                                 # saturated: most calls take longer than 30 s
        return rng.uniform(24.0, 48.0)
    ramp = (t - T_SLOW) / (T_TIMEOUTS - T_SLOW)        # 0 -> 1 when it reaches 30 s
    return max(0.0, 30.0 * ramp ** 1.5 * rng.uniform(0.85, 1.1))


STACK_401 = [
    "org.springframework.web.client.HttpClientErrorException$Unauthorized: 401 Unauthorized: \"%s\"" % R401_BODY,
    "\tat org.springframework.web.client.HttpClientErrorException.create(HttpClientErrorException.java:106)",
    "\tat org.springframework.web.client.DefaultResponseErrorHandler.handleError(DefaultResponseErrorHandler.java:183)",
    "\tat org.springframework.web.client.DefaultResponseErrorHandler.handleError(DefaultResponseErrorHandler.java:137)",
    "\tat org.springframework.web.client.RestTemplate.handleResponse(RestTemplate.java:932)",
    "\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:881)",
    "\tat org.springframework.web.client.RestTemplate.exchange(RestTemplate.java:721)",
    "\tat com.acme.crm.erp.ErpClient.post(ErpClient.java:118)",
    "\tat com.acme.crm.sync.OrderSyncService.push(OrderSyncService.java:77)",
    "\tat com.acme.crm.sync.SyncWorker.process(SyncWorker.java:64)",
]
STACK_TIMEOUT = [
    "org.springframework.web.client.ResourceAccessException: I/O error on POST request for \"%s/api/v2/orders\": Read timed out" % ERP_BASE,
    "\tat org.springframework.web.client.RestTemplate.createResourceAccessException(RestTemplate.java:915)",
    "\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:895)",
    "\tat org.springframework.web.client.RestTemplate.exchange(RestTemplate.java:721)",
    "\tat com.acme.crm.erp.ErpClient.post(ErpClient.java:118)",
    "Caused by: java.net.SocketTimeoutException: Read timed out",
    "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)",
    "\tat java.base/java.net.Socket$SocketInputStream.read(Socket.java:1099)",
    "\t... 14 common frames omitted",
]


def erp_call(t, thread, method, path, request_id, attempt=1, max_attempts=3, slow_ok=False):
    """One CRM -> ERP call starting at t (CRM clock). Logs both sides; returns (end_time, outcome)."""
    tag = " (attempt %d/%d)" % (attempt, max_attempts) if attempt > 1 else ""
    C(t, "DEBUG", thread, "c.a.crm.erp.ErpClient", "-> %s %s%s request_id=%s bytes=%d%s" % (
        method, ERP_BASE, path, request_id, rng.randint(180, 4200) if method != "GET" else 0, tag))
    if t >= T_ROTATE:
        arrive = t + 0.004
        svc = rng.uniform(0.004, 0.014) + erp_delay(t)
        E(arrive + 0.001, "warn", "erp.auth", "token validation failed", error="invalid_token",
          error_description=SIG_MSG, kid=OLD_KID, client_id="crm-connector", path=path.split("?")[0],
          request_id=request_id)
        if svc > 2.0:
            E(arrive + 0.002, "debug", "erp.auth.keys", "JWKS refresh requested", reason="signature verification failed",
              waiting=int(min(64, 2 + svc * 1.7)), request_id=request_id)
        done = arrive + svc
        E(done, "info", "erp.http", "request completed", method=method, path=path, status=401,
          duration_ms=int(svc * 1000), bytes=len(R401_BODY), client_id="crm-connector", request_id=request_id)
        if svc >= 30.0:
            C(t + 30.0, "WARN", thread, "c.a.crm.erp.ErpClient",
              "I/O error on %s request for \"%s%s\": Read timed out; nested exception is "
              "java.net.SocketTimeoutException: Read timed out (request_id=%s, attempt %d/%d)" % (
                  method, ERP_BASE, path, request_id, attempt, max_attempts))
            return t + 30.0, "timeout"
        C(done + 0.003, "ERROR", thread, "c.a.crm.erp.ErpClient",
          "ERP call failed %s %s request_id=%s: org.springframework.web.client.HttpClientErrorException$Unauthorized: "
          "401 Unauthorized: \"%s\"" % (method, path, request_id, R401_BODY))
        return done + 0.003, "401"
    # normal traffic
    svc = lat()
    outcome = "ok"
    status = {"POST": 201, "PUT": 200, "GET": 200}[method]
    if slow_ok:
        svc = rng.uniform(31.0, 38.0)
    done = t + 0.004 + svc
    E(done, "info", "erp.http", "request completed", method=method, path=path, status=status,
      duration_ms=int(svc * 1000), bytes=rng.randint(240, 3800), client_id="crm-connector", request_id=request_id)
    if slow_ok:
        E(done - 0.001, "warn", "erp.db", "slow query", duration_ms=int(svc * 1000) - 12,
          sql="SELECT o.id, o.status, l.* FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.external_ref = $1",
          request_id=request_id)
        C(t + 30.0, "WARN", thread, "c.a.crm.erp.ErpClient",
          "I/O error on %s request for \"%s%s\": Read timed out; nested exception is "
          "java.net.SocketTimeoutException: Read timed out (request_id=%s, attempt %d/%d)" % (
              method, ERP_BASE, path, request_id, attempt, max_attempts))
        return t + 30.0, "timeout"
    reason = {201: "201 Created", 200: "200 OK"}[status]
    C(done + 0.002, "INFO", thread, "c.a.crm.erp.ErpClient", "<- %s %s %s request_id=%s duration_ms=%d%s" % (
        reason, method, path, request_id, int(svc * 1000) + 3, tag))
    return done + 0.002, outcome


def push_with_retry(t, thread, method, path, request_id, what, slow_first=False):
    """Up to 3 attempts with 1 s / 2 s backoff. Returns (end_time, succeeded)."""
    backoff = [1.0, 2.0]
    for attempt in (1, 2, 3):
        t, outcome = erp_call(t, thread, method, path, request_id, attempt, slow_ok=slow_first and attempt == 1)
        if outcome == "ok":
            if attempt > 1:
                C(t + 0.001, "INFO", thread, "c.a.crm.sync.RetryPolicy",
                  "retry succeeded for %s request_id=%s on attempt %d/3" % (what, request_id, attempt))
            return t, True
        if attempt < 3:
            C(t + 0.001, "WARN", thread, "c.a.crm.sync.RetryPolicy",
              "attempt %d/3 failed for %s request_id=%s (%s), retrying in %d ms" % (
                  attempt, what, request_id,
                  "401 Unauthorized" if outcome == "401" else "Read timed out", backoff[attempt - 1] * 1000))
            t += backoff[attempt - 1]
    # the scheduled workers log the exception with its stack trace; the HTTP handler only its message
    if thread.startswith("sync-worker"):
        trace = STACK_401 if outcome == "401" else STACK_TIMEOUT
        msg = "giving up on %s after 3 attempts, requeued (request_id=%s)" % (what, request_id)
    else:
        trace = ()
        msg = "giving up on %s after 3 attempts, requeued (request_id=%s): %s" % (
            what, request_id, STACK_401[0] if outcome == "401" else STACK_TIMEOUT[0])
    C(t + 0.002, "ERROR", thread, "c.a.crm.sync.SyncWorker", msg, trace)
    return t + 0.002, False


# ---------------------------------------------------------------------------


def queue_depth(t):
    """CRM sync queue depth: a handful before the incident; afterwards nothing drains while
    new changes (about 7 a minute) and requeued items keep arriving."""
    if t < T_ROTATE:
        return 1 + int(t // 97) % 5
    return 4 + int((t - T_ROTATE) / 60.0 * 7.4) + int(t // 13) % 3


ORDERS = ["ORD-%07d" % rng.randint(2400000, 2499999) for _ in range(400)]
ACCOUNTS = ["ACC-%06d" % rng.randint(100000, 999999) for _ in range(200)]
SKUS = ["SKU-%05d" % rng.randint(10000, 99999) for _ in range(300)]
STOREFRONT_IPS = ["10.0.3.%d" % i for i in (21, 22, 23, 24)]
CLIENT_IPS = ["203.0.113.%d" % rng.randint(2, 250) for _ in range(30)] + ["198.51.100.%d" % rng.randint(2, 250) for _ in range(10)]
UA_STORE = "acme-storefront/2.8.0 (+okhttp/4.12.0)"
UA_BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
]

# --- CRM access tokens ---------------------------------------------------------
for tt in (T_TOKEN_1, T_TOKEN_2):
    r = rid()
    C(tt - 0.21, "INFO", "sync-worker-1", "c.a.crm.auth.TokenProvider",
      "Access token expires in 58 s, requesting a new one (client_id=crm-connector)")
    E(tt - 0.05, "info", "erp.auth", "token issued", client_id="crm-connector", grant_type="client_credentials",
      kid=OLD_KID, expires_in=3600, scope="orders accounts products", request_id=r)
    E(tt - 0.049, "info", "erp.http", "request completed", method="POST", path="/oauth/token", status=200,
      duration_ms=rng.randint(40, 90), bytes=1187, client_id="crm-connector", auth="client_secret", request_id=r)
    C(tt, "INFO", "sync-worker-1", "c.a.crm.auth.TokenProvider",
      "Obtained new access token for client crm-connector (kid=%s), token expires in 3600 s" % OLD_KID)

# --- the key rotation ----------------------------------------------------------------
E(T_ROTATE - 0.012, "info", "erp.auth.keys", "scheduled signing key rotation started", job="oauth-key-rotation",
  current_kid=OLD_KID)
E(T_ROTATE, "info", "erp.auth.keys", "signing key rotated", old_kid=OLD_KID, new_kid=NEW_KID, algorithm="RS256",
  overlap_s=0, keystore="vault:transit/erp-oauth")
E(T_ROTATE + 0.031, "info", "erp.auth.keys", "JWKS reloaded", keys=1, kids=[NEW_KID])

# --- CRM scheduled sync batches (every 60 s; skipped while the previous one runs) -----
t = START + 7.25
batch = 48210
busy_until = 0.0
slow_marks = {at(18, 17, 40), at(18, 38, 10), at(18, 51, 30), at(19, 1, 20)}   # background read timeouts
while t < END:
    batch += 1
    thread = "sync-worker-%d" % rng.randint(1, 4)
    if t < busy_until:
        C(t, "WARN", "scheduling-1", "c.a.crm.sync.SyncScheduler",
          "Sync batch %d skipped: previous batch still running (%.0f s)" % (batch, busy_until - t + 60))
        t += 60
        continue
    incident = t >= T_ROTATE
    n = 2 if incident else rng.choice([0, 1, 1, 2, 2, 3])
    C(t, "INFO", "scheduling-1", "c.a.crm.sync.SyncScheduler", "Sync batch %d started: %d pending" % (
        batch, queue_depth(t) if incident else n))
    tt = t + 0.012
    ok = failed = 0
    for i in range(n):
        if rng.random() < 0.5:
            what, path, method = "order %s" % rng.choice(ORDERS), "/api/v2/orders", "POST"
        else:
            acc = rng.choice(ACCOUNTS)
            what, path, method = "account %s" % acc, "/api/v2/accounts/%s" % acc, "PUT"
        slow = any(abs(tt - s) < 30 for s in slow_marks) and i == 0
        r = rid()
        tt, good = push_with_retry(tt, thread, method, path, r, what, slow_first=slow)
        if good:
            ok += 1
            if not incident and method == "POST":
                C(tt + 0.001, "INFO", thread, "c.a.crm.sync.OrderSyncService",
                  "Order %s pushed to ERP as erp_id=%d (status=201) request_id=%s" % (
                      what.split()[1], rng.randint(700000, 799999), r))
        else:
            failed += 1
        tt += 0.05
    C(tt + 0.003, "INFO" if not failed else "WARN", "scheduling-1", "c.a.crm.sync.SyncScheduler",
      "Sync batch %d finished: %d synced, %d failed in %d ms (queue depth %d)" % (
          batch, ok, failed, (tt - t) * 1000, queue_depth(tt)))
    busy_until = tt
    t += 60

# --- product lookups by the CRM (ERP 404s are steady background noise) ---------
t = START + 41.7
while t < END:
    r = rid()
    sku = rng.choice(SKUS)
    th = "sync-worker-%d" % rng.randint(5, 8)
    missing = rng.random() < 0.22
    if t >= T_ROTATE:
        erp_call(t, th, "GET", "/api/v2/products/%s" % sku, r)
    elif missing:
        C(t, "DEBUG", th, "c.a.crm.cache.ProductCache", "cache miss product sku=%s, loading from ERP request_id=%s" % (sku, r))
        svc = lat()
        E(t + 0.004 + svc * 0.3, "info", "erp.products", "product not found", sku=sku, status=404, request_id=r)
        E(t + 0.004 + svc, "info", "erp.http", "request completed", method="GET", path="/api/v2/products/%s" % sku,
          status=404, duration_ms=int(svc * 1000), bytes=96, client_id="crm-connector", request_id=r)
        C(t + 0.008 + svc, "WARN", th, "c.a.crm.cache.ProductCache",
          "ERP lookup failed for sku=%s: org.springframework.web.client.HttpClientErrorException$NotFound: 404 Not Found: "
          "\"{\"error\":\"not_found\",\"message\":\"product %s does not exist\"}\" request_id=%s" % (sku, sku, r))
    else:
        C(t, "DEBUG", th, "c.a.crm.cache.ProductCache", "cache hit product sku=%s age_ms=%d" % (sku, rng.randint(2000, 580000)))
    t += rng.uniform(40, 110)

# --- gateway -> CRM /api/sync (request ids cross all three systems) --------------
t = START + 3.9
while t < END:
    r = rid()
    ip = rng.choice(STOREFRONT_IPS)
    exec_t = "http-nio-8080-exec-%d" % rng.randint(1, 200)
    kind = rng.random()
    if kind < 0.6:
        gpath, epath, method, what = "/api/sync/orders", "/api/v2/orders", "POST", "order %s" % rng.choice(ORDERS)
    else:
        acc = rng.choice(ACCOUNTS)
        gpath, epath, method, what = "/api/sync/accounts/%s" % acc, "/api/v2/accounts/%s" % acc, "PUT", "account %s" % acc
    if t >= T_502 and rng.random() < 0.55:
        # Tomcat has no free thread and its accept queue is full: nginx gets a reset
        G(t + rng.uniform(0.001, 0.004), ip, "POST", gpath, 502, 157, UA_STORE, rng.uniform(0.001, 0.004), "0.001", r)
        t += rng.expovariate(1 / 30.0)
        continue
    t0 = t + 0.003
    end, good = push_with_retry(t0, exec_t, method, epath, r, what)
    status = 200 if good else 202
    body = 214 if good else 121
    total = end - t + 0.004
    C(end + 0.002, "INFO", exec_t, "c.a.crm.web.RequestLoggingFilter",
      "POST %s -> %d in %d ms request_id=%s" % (gpath, status, total * 1000, r))
    if total > 60.0:
        # nginx proxy_read_timeout 60s fired long before the CRM answered
        G(t + 60.0 + rng.uniform(0.0005, 0.002), ip, "POST", gpath, 504, 167, UA_STORE, 60.001, "60.001", r)
        C(end + 0.003, "WARN", exec_t, "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
          "Failure in @ExceptionHandler: org.apache.catalina.connector.ClientAbortException: java.io.IOException: "
          "Broken pipe (request_id=%s)" % r)
    else:
        G(t + total, ip, "POST", gpath, status, body, UA_STORE, total, "%.3f" % (total - 0.002), r)
    t += rng.expovariate(1 / 30.0)

# --- CRM queue monitor and other periodic CRM lines ------------------------------
t = START + 12.0
while t < END:
    depth = queue_depth(t)
    lvl = "WARN" if depth > 50 else "INFO"
    msg = "sync queue depth=%d oldest_age_s=%d" % (depth, int(t - T_ROTATE + 3) if t >= T_ROTATE else rng.randint(0, 50))
    if depth > 50:
        msg += " exceeds threshold 50"
    C(t, lvl, "scheduling-1", "c.a.crm.sync.SyncQueueMonitor", msg)
    if int(t - START) % 120 < 60:
        act = 2 + rng.randint(0, 3) if t < T_ROTATE else min(20, 8 + int((t - T_ROTATE) / 40))
        C(t + 0.4, "DEBUG", "HikariPool-1 housekeeper", "com.zaxxer.hikari.pool.HikariPool",
          "HikariPool-1 - Pool stats (total=20, active=%d, idle=%d, waiting=0)" % (act, 20 - act))
    if t >= T_ROTATE and rng.random() < 0.2:
        C(t + 0.7, "DEBUG", "sync-worker-2", "c.a.crm.auth.TokenProvider",
          "Access token still valid (expires in %d s), reusing" % (T_TOKEN_2 + 3600 - t))
    t += 60.0

# webhook callbacks from the ERP into the CRM (through the gateway)
t = START + 25.0
while t < END:
    r = rid()
    ev = rng.choice(["invoice.paid", "order.shipped", "order.confirmed", "product.changed"])
    exec_t = "http-nio-8080-exec-%d" % rng.randint(1, 200)
    if t >= T_502 and rng.random() < 0.6:
        G(t + 0.002, "10.0.2.40", "POST", "/api/webhooks/erp", 502, 157, "acme-erp-webhooks/5.2", 0.002, "0.001", r)
    else:
        E(t - 0.02, "info", "erp.webhooks", "webhook sent", event=ev, target="https://api.acme.io/api/webhooks/erp",
          request_id=r)
        C(t + 0.01, "INFO", exec_t, "c.a.crm.webhook.WebhookController",
          "Received webhook event=%s id=evt_%016x signature=valid request_id=%s" % (ev, rng.getrandbits(64), r))
        G(t + 0.03, "10.0.2.40", "POST", "/api/webhooks/erp", 204, 0, "acme-erp-webhooks/5.2", 0.028, "0.027", r)
        E(t + 0.035, "info", "erp.webhooks", "webhook delivered", event=ev, status=204, duration_ms=31, request_id=r)
    t += rng.uniform(120, 300)

# --- gateway: other traffic --------------------------------------------------------
t = START + 1.0
while t < END:
    G(t, "10.0.0.5", "GET", "/healthz", 200, 2, "kube-probe/1.29", 0.000, "-", rid())
    t += 30.0
t = START + 5.0
while t < END:
    r = rid()
    ip = rng.choice(CLIENT_IPS)
    ua = rng.choice(UA_BROWSERS)
    p = rng.random()
    if p < 0.45:
        q = rng.choice(["mueller", "acme gmbh", "nordwind", "schmidt", "bauer", "kessler", "lange"]).replace(" ", "+")
        path = "/api/accounts/search?q=%s" % q
        if t >= T_502 and rng.random() < 0.35:
            G(t, ip, "GET", path, 502, 157, ua, 0.002, "0.001", r)
        else:
            rt = rng.uniform(0.012, 0.09)
            C(t - 0.001, "INFO", "http-nio-8080-exec-%d" % rng.randint(1, 200), "c.a.crm.web.RequestLoggingFilter",
              "GET %s -> 200 in %d ms request_id=%s" % (path.split("?")[0], rt * 1000, r))
            G(t, ip, "GET", path, 200, rng.randint(400, 6000), ua, rt, "%.3f" % (rt - 0.001), r)
    elif p < 0.8:
        path = rng.choice(["/static/app.3f9c1e7a.js", "/static/app.3f9c1e7a.css", "/static/logo.svg", "/favicon.ico"])
        st = rng.choice([200, 304, 304])
        G(t, ip, "GET", path, st, 0 if st == 304 else rng.randint(2000, 180000), ua, 0.000, "-", r)
    elif p < 0.93:
        G(t, ip, "GET", "/api/me", 200, rng.randint(300, 700), ua, rng.uniform(0.004, 0.02), "0.004", r)
    else:
        G(t, rng.choice(CLIENT_IPS), "GET", rng.choice(["/wp-login.php", "/.env", "/api/v1/orders", "/admin/"]), 404, 153,
          "Mozilla/5.0 (compatible; scanner)", 0.000, "-", r)
    t += rng.expovariate(1 / 20.0)

# --- ERP: other clients (API keys, not affected by the key rotation) and jobs ---
t = START + 8.0
page = 1
while t < END:
    r = rid()
    svc = lat()
    E(t + svc, "info", "erp.http", "request completed", method="GET", path="/api/v2/products?page=%d&size=200" % page,
      status=200, duration_ms=int(svc * 1000), bytes=rng.randint(40000, 90000), client_id="inventory-svc", auth="api_key",
      request_id=r)
    page = page % 38 + 1
    t += rng.uniform(25, 50)
for h in (18, 19):
    t = at(h, 30, 2.0)
    E(t, "info", "erp.jobs", "job started", job="invoice-run", trigger="cron")
    E(t + 41.3, "info", "erp.jobs", "job finished", job="invoice-run", duration_ms=41300, processed=rng.randint(300, 900))
t = START + 60.0
while t < END:
    E(t, "debug", "erp.db", "pool stats", pool="primary", active=rng.randint(1, 6), idle=14, waiting=0)
    t += 120.0

# ---------------------------------------------------------------------------


def write(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="\n") as f:
        for _, line in lines:
            f.write(line + "\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "incident")
    # the logs were collected at 20:00:00 (CRM clock); a stable sort keeps stack-trace
    # lines right after their head line
    for lines in (crm, erp, gw):
        lines[:] = sorted((x for x in lines if x[0] < END), key=lambda x: x[0])
    crm_old = [x for x in crm if x[0] < CRM_ROTATE_AT]
    crm_new = [x for x in crm if x[0] >= CRM_ROTATE_AT]
    write(os.path.join(out, "crm", "connector.log.1"), crm_old)
    write(os.path.join(out, "crm", "connector.log"), crm_new)
    write(os.path.join(out, "erp", "erp-api.log"), erp)
    write(os.path.join(out, "gateway", "access.log"), gw)
    total = 0
    for d, _, files in sorted(os.walk(out)):
        for f in sorted(files):
            p = os.path.join(d, f)
            if f.endswith(".md"):
                continue
            n = sum(1 for _ in open(p))
            total += os.path.getsize(p)
            print("%-40s %6d lines %8d bytes" % (os.path.relpath(p, out), n, os.path.getsize(p)))
    print("total %d bytes" % total)

    def first(lines, needle, after=START):
        return next((t for t, line in lines if needle in line and t >= after), None)

    def show(label, t, skew=0.0):
        if t is None:
            print("%-44s none" % label)
            return
        d = datetime.fromtimestamp(t, UTC).strftime("%H:%M:%S.%f")[:-3]
        raw = datetime.fromtimestamp(t + skew, UTC).strftime("%H:%M:%S.%f")[:-3]
        print("%-44s %s CRM clock%s" % (label, d, "  (%s in the ERP log)" % raw if skew else ""))

    print("\nkey times (for TRUTH.md):")
    show("ERP signing key rotated", first(erp, "signing key rotated"), ERP_SKEW)
    show("ERP first token rejection", first(erp, "JWT signature does not match"), ERP_SKEW)
    show("CRM first 401 Unauthorized", first(crm, "401 Unauthorized"))
    show("CRM first give-up/requeue", first(crm, "giving up on"))
    show("CRM queue depth first over threshold", first(crm, "exceeds threshold"))
    show("ERP first JWKS refresh wait", first(erp, "JWKS refresh requested"), ERP_SKEW)
    show("CRM first read timeout after the rotation", first(crm, "Read timed out;", T_ROTATE))
    show("gateway first 504", first(gw, '" 504 '))
    show("gateway first 502", first(gw, '" 502 '))
    counts = {
        "ERP token rejections": sum("JWT signature does not match" in l for _, l in erp if '"token validation failed"' in l),
        "CRM 401 errors": sum("HttpClientErrorException$Unauthorized" in l and " ERROR " in l for _, l in crm),
        "CRM read timeouts (all)": sum("Read timed out;" in l for _, l in crm),
        "CRM read timeouts before the rotation": sum("Read timed out;" in l for t, l in crm if t < T_ROTATE),
        "ERP 404 product not found (all before)": sum('"product not found"' in l for _, l in erp),
        "gateway 504": sum('" 504 ' in l for _, l in gw),
        "gateway 502": sum('" 502 ' in l for _, l in gw),
        "gateway 404 (scanners)": sum('" 404 ' in l for _, l in gw),
    }
    for k, n in counts.items():
        print("%-44s %d" % (k, n))


if __name__ == "__main__":
    main()
