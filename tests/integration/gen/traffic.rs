//! Plays a plan out: outside requests entering `chain[0]` and hopping down
//! the chain (each caller logs its outgoing call with the request id, each
//! callee logs the same id), scheduled sync jobs, and the incident — the
//! cause failing requests at the cause system from its trigger on, the
//! caller's answers, retries, circuit breaker, saturation (read timeouts
//! and 5xx further up) and queue backlog.

use super::format::{Access, Level, Stack};
use super::plan::{Plan, KINDS, WEBHOOK_KIND};
use super::rng::Rng;
use super::wording::{self, mirror_category, retryable, status, Ctx};
use super::world::World;

#[derive(Clone, Copy, PartialEq)]
enum Breaker {
    Closed(u32),
    Open(i64),
    HalfOpen,
}

pub struct Sim<'a> {
    pub p: &'a Plan,
    pub w: World,
    pub rng: Rng,
    breaker: Breaker,
    pub first_cause: Option<i64>,
    /// The resource (order, account, product id) of the request in flight,
    /// so every hop names the same one.
    pub res: u64,
}

/// Outcome of a served request: `None` success, else the failure category
/// whose status went back.
type Outcome = Option<&'static str>;

impl<'a> Sim<'a> {
    pub fn new(p: &'a Plan, w: World, rng: Rng) -> Sim<'a> {
        Sim { p, w, rng, breaker: Breaker::Closed(0), first_cause: None, res: 0 }
    }

    pub fn rid(&mut self) -> String {
        match self.p.id_style {
            0 => format!("req-{}", self.rng.hex(12)),
            1 => format!(
                "{}-{}-4{}-{}-{}",
                self.rng.hex(8),
                self.rng.hex(4),
                self.rng.hex(3),
                self.rng.hex(4),
                self.rng.hex(12)
            ),
            _ => self.rng.hex(32),
        }
    }

    pub fn name(&self, s: usize) -> &'static str {
        self.p.names[s]
    }

    fn app(&self, s: usize) -> bool {
        !self.w.systems[s].is_nginx()
    }

    fn stack(&self, s: usize) -> Stack {
        self.w.systems[s].stack()
    }

    pub fn url(&self, s: usize) -> String {
        format!("http://{}.internal:8080", self.name(s))
    }

    /// The path a request of `kind` has at system `chain[hop]`.
    pub fn path(&mut self, hop: usize, kind: usize, caller: &str) -> String {
        let s = self.p.chain[hop];
        let k = &KINDS[kind];
        let pre = self.p.api_prefix[s];
        if kind == WEBHOOK_KIND {
            return format!("{pre}/webhooks/{caller}");
        }
        match k.id_prefix {
            Some(idp) => format!("{pre}/{}/{idp}{:06}", k.name, 10_000 + self.res % 990_000),
            None => format!("{pre}/{}", k.name),
        }
    }

    fn thread(&mut self) -> String {
        format!("http-nio-8080-exec-{}", self.rng.range(1, 200))
    }

    pub fn ctx<'b>(
        &self,
        caller: &'b str,
        callee: &'b str,
        method: &'b str,
        path: &'b str,
        url: &'b str,
        n: u64,
    ) -> Ctx<'b> {
        Ctx { caller, callee, method, path, url, client_ip: "10.0.3.21", n, variant: self.p.variant }
    }

    fn active(&self, t: i64, kind: usize) -> bool {
        t >= self.p.trigger && self.p.affected.is_none_or(|k| k == kind)
    }

    /// The app's own log of a request it served.
    #[allow(clippy::too_many_arguments)]
    pub fn request_log(
        &mut self,
        s: usize,
        t0: i64,
        t1: i64,
        method: &str,
        path: &str,
        code: u16,
        rid: &str,
    ) {
        let ms = (t1 - t0).max(1);
        let level = if code >= 500 { Level::Warn } else { Level::Info };
        let th = self.thread();
        match self.stack(s) {
            Stack::Java => {
                let msg = format!("{method} {path} -> {code} in {ms} ms");
                self.w.log(s, t1, level, "http", &th, &msg, Some(rid), &[], &[]);
            }
            Stack::Python => {
                let msg = format!("\"{method} {path} HTTP/1.1\" {code} {}", self.rng.range(90, 4000));
                self.w.log(
                    s,
                    t1,
                    level,
                    "access",
                    &th,
                    &msg,
                    Some(rid),
                    &[("duration_ms", ms.to_string())],
                    &[],
                );
            }
            _ => {
                let kv = [
                    ("method", method.to_string()),
                    ("path", path.to_string()),
                    ("status", code.to_string()),
                    ("duration_ms", ms.to_string()),
                ];
                self.w.log(s, t1, level, "http", &th, "request completed", Some(rid), &kv, &[]);
            }
        }
    }

    /// `chain[hop]` serves a request arriving at `t`; `depth` is how many
    /// systems the request reaches.
    pub fn serve(
        &mut self,
        hop: usize,
        t: i64,
        kind: usize,
        rid: &str,
        path: &str,
        depth: usize,
    ) -> (i64, Outcome) {
        let s = self.p.chain[hop];
        let method = KINDS[kind].method;
        let cat = self.p.category;
        if hop == self.p.cause_pos && self.active(t, kind) && self.rng.chance(self.p.fail_frac) {
            let d = if cat == "timeout" { 30_000 + self.rng.range(2, 400) } else { self.rng.range(3, 40) };
            let caller = self.name(self.p.chain[hop - 1]);
            let callee = self.name(s);
            let url = self.url(s);
            let n = self.rng.next_u64();
            let mut said =
                wording::failure(cat, self.stack(s), &self.ctx(caller, callee, method, path, &url, n));
            if !self.p.stack_traces {
                said.trace.clear();
            }
            let th = self.thread();
            let at = t + d - 1;
            if at >= self.w.start && at < self.w.end {
                self.first_cause = Some(self.first_cause.map_or(at, |f| f.min(at)));
            }
            self.w.say(s, at, &said, &th, Some(rid), Some((cat, "cause")));
            if self.app(s) {
                self.request_log(s, t, t + d, method, path, status(cat), rid);
            } else {
                self.nginx_access(s, hop, t, t + d, kind, path, rid, status(cat));
            }
            return (t + d, Some(cat));
        }
        if !self.app(s) {
            let (e, r) = self.outgoing(hop, t, kind, rid, depth.max(hop + 2));
            let code = r.map_or(if method == "POST" { 201 } else { 200 }, status);
            if self.nginx_access(s, hop, t, e, kind, path, rid, code) && code >= 400 {
                self.w.count(s, e, mirror_category(r.unwrap()), "access");
            }
            return (e, r);
        }
        if hop + 1 < depth {
            let t1 = t + self.rng.range(1, 12);
            let (e, r) = self.outgoing(hop, t1, kind, rid, depth);
            let e = e + self.rng.range(1, 6);
            if self.app(s) {
                self.request_log(s, t, e, method, path, if r.is_some() { 502 } else { 200 }, rid);
                return (e, r.map(|_| "bad_gateway"));
            }
            return (e, r);
        }
        let d = self.rng.exp_ms(60.0) + self.rng.range(4, 30);
        if self.app(s) {
            let code = if method == "POST" { 201 } else { 200 };
            self.request_log(s, t, t + d, method, path, code, rid);
        }
        (t + d, None)
    }

    fn breaker_allows(&mut self, a: usize, t: i64) -> bool {
        let callee = self.name(self.p.chain[self.p.cause_pos]);
        match self.breaker {
            Breaker::Open(until) if t < until => false,
            Breaker::Open(_) => {
                self.breaker = Breaker::HalfOpen;
                self.w.say(
                    a,
                    t,
                    &wording::breaker_state(callee, "OPEN", "HALF_OPEN"),
                    "resilience4j",
                    None,
                    None,
                );
                true
            }
            _ => true,
        }
    }

    fn breaker_result(&mut self, a: usize, t: i64, ok: bool) {
        let callee = self.name(self.p.chain[self.p.cause_pos]);
        let next = match (self.breaker, ok) {
            (Breaker::Closed(_), true) => Breaker::Closed(0),
            (Breaker::Closed(n), false) if n + 1 >= 5 => {
                self.w.say(
                    a,
                    t,
                    &wording::breaker_state(callee, "CLOSED", "OPEN"),
                    "resilience4j",
                    None,
                    Some(("unavailable", "circuit breaker")),
                );
                Breaker::Open(t + 60_000)
            }
            (Breaker::Closed(n), false) => Breaker::Closed(n + 1),
            (Breaker::HalfOpen, true) => {
                self.w.say(
                    a,
                    t,
                    &wording::breaker_state(callee, "HALF_OPEN", "CLOSED"),
                    "resilience4j",
                    None,
                    None,
                );
                Breaker::Closed(0)
            }
            (Breaker::HalfOpen, false) => {
                self.w.say(
                    a,
                    t,
                    &wording::breaker_state(callee, "HALF_OPEN", "OPEN"),
                    "resilience4j",
                    None,
                    Some(("unavailable", "circuit breaker")),
                );
                Breaker::Open(t + 60_000)
            }
            (b, _) => b,
        };
        self.breaker = next;
    }

    /// The chain position that saturates once the cause has bitten for a
    /// while: the cause's caller, or the cause itself when its caller is
    /// nginx (which does not queue).
    fn sat_hop(&self) -> usize {
        let c = self.p.cause_pos;
        if self.app(self.p.chain[c - 1]) {
            c - 1
        } else {
            c
        }
    }

    /// Whether `chain[hop]` is too busy to answer a request arriving at `t`.
    /// The chance grows over ten minutes and scales with the share of
    /// requests the cause breaks.
    pub fn saturated(&mut self, hop: usize, t: i64) -> bool {
        if hop != self.sat_hop() {
            return false;
        }
        let Some(f) = self.first_cause else { return false };
        let since = t - f - self.p.saturate_after_ms;
        let share = self.p.affected.map_or(1.0, |k| KINDS[k].weight * 2.0).min(1.0) * self.p.fail_frac;
        since >= 0 && self.rng.chance((0.2 + since as f64 / 600_000.0).min(0.7) * share)
    }

    /// `chain[hop]` calls `chain[hop + 1]` at `t`, with retries.
    pub fn outgoing(&mut self, hop: usize, t: i64, kind: usize, rid: &str, depth: usize) -> (i64, Outcome) {
        let (a, b) = (self.p.chain[hop], self.p.chain[hop + 1]);
        let (an, bn) = (self.name(a), self.name(b));
        let rid_b = if self.p.shared_ids { rid.to_string() } else { self.rid() };
        let path = self.path(hop + 1, kind, an);
        let method = KINDS[kind].method;
        let url = self.url(b);
        let cause_edge = hop + 1 == self.p.cause_pos && self.app(a) && self.p.breaker;
        let th = self.thread();
        let mut t = t;
        let mut last: Outcome = None;
        for attempt in 1..=3 {
            if cause_edge && !self.breaker_allows(a, t) {
                let said = wording::breaker_open(self.stack(a), bn);
                self.w.say(a, t, &said, &th, Some(rid), Some(("unavailable", "circuit breaker open")));
                return (t + 1, Some("unavailable"));
            }
            let tag = if attempt > 1 { format!(" (attempt {attempt}/3)") } else { String::new() };
            if self.app(a) {
                let msg = format!("-> {method} {url}{path}{tag}");
                self.w.log(a, t, Level::Debug, "client", &th, &msg, Some(rid), &[], &[]);
            }
            let net = self.rng.range(1, 6);
            let (back, r) = if self.saturated(hop + 1, t) {
                // the callee is stuck: no answer before the caller's read timeout
                let to = if self.app(a) { 30_000 } else { 60_000 };
                let n = self.rng.next_u64();
                let said = wording::read_timeout(self.stack(a), &self.ctx(an, bn, method, &path, &url, n));
                self.w.say(a, t + to, &said, &th, Some(rid), Some(("timeout", "read timeout")));
                let late = t + to + self.rng.range(500, 40_000);
                self.request_log(b, t + net, late, method, &path, 200, &rid_b);
                (t + to, Some("caller_timeout"))
            } else {
                let (e, r) = self.serve(hop + 1, t + net, kind, &rid_b, &path, depth);
                (e + net, r)
            };
            if cause_edge && r != Some("caller_timeout") {
                self.breaker_result(a, back, r.is_none());
            }
            let Some(cat) = r else {
                if self.app(a) {
                    let msg = format!(
                        "<- {} {method} {path} duration_ms={}{tag}",
                        if method == "POST" { "201 Created" } else { "200 OK" },
                        back - t
                    );
                    self.w.log(a, back, Level::Info, "client", &th, &msg, Some(rid), &[], &[]);
                    if attempt > 1 {
                        let msg = format!("retry succeeded for {method} {path} on attempt {attempt}/3");
                        self.w.log(a, back + 1, Level::Info, "retry", &th, &msg, Some(rid), &[], &[]);
                    }
                }
                return (back, None);
            };
            last = Some(cat);
            if cat != "caller_timeout" {
                let n = self.rng.next_u64();
                if let Some(said) =
                    wording::mirror(cat, self.stack(a), &self.ctx(an, bn, method, &path, &url, n))
                {
                    let what = if hop + 1 == self.p.cause_pos {
                        "answer from the cause"
                    } else {
                        "answer from upstream"
                    };
                    self.w.say(a, back, &said, &th, Some(rid), Some((mirror_category(cat), what)));
                } else if cat != "bad_gateway" {
                    self.w.count(a, back, mirror_category(cat), "access");
                }
            }
            if !(self.app(a) && retryable(cat) && attempt < 3) {
                return (back, last);
            }
            let wait = 1000 * attempt as i64;
            let msg = format!(
                "attempt {attempt}/3 failed for {method} {path} ({}), retrying in {wait} ms",
                status(cat)
            );
            self.w.log(a, back + 1, Level::Warn, "retry", &th, &msg, Some(rid), &[], &[]);
            t = back + wait;
        }
        (t, last)
    }

    /// One outside request entering `chain[0]` at `t`.
    pub fn entry(&mut self, t: i64) {
        let n = self.p.chain.len();
        let s0 = self.p.chain[0];
        let x = self.rng.f64();
        let mut acc = 0.0;
        let mut kind = 0;
        for (i, k) in KINDS.iter().enumerate() {
            acc += k.weight;
            if x < acc {
                kind = i;
                break;
            }
        }
        let mut depth = if self.rng.chance(0.75) { n } else { self.rng.range(1, n as i64 + 1) as usize };
        while depth < n && !self.app(self.p.chain[depth - 1]) {
            depth += 1;
        }
        let rid = if self.app(s0) || self.rng.chance(0.5) { self.rid() } else { self.rng.hex(32) };
        self.res = self.rng.next_u64();
        let path = self.path(0, kind, "partner");
        if self.app(s0) && self.saturated(0, t) {
            // the entry app itself is stuck: the request times out inside it
            let th = self.thread();
            let said = wording::handler_timeout(self.stack(s0), KINDS[kind].method, &path);
            self.w.say(s0, t + 30_000, &said, &th, Some(&rid), Some(("timeout", "request timeout")));
            return;
        }
        self.serve(0, t, kind, &rid, &path, depth);
    }

    /// An nginx access line for a request served from `t0` to `t1`.
    #[allow(clippy::too_many_arguments)]
    fn nginx_access(
        &mut self,
        s: usize,
        hop: usize,
        t0: i64,
        t1: i64,
        kind: usize,
        path: &str,
        rid: &str,
        code: u16,
    ) -> bool {
        let ip = if hop == 0 {
            format!("10.0.3.{}", self.rng.range(2, 60))
        } else {
            format!("10.0.5.{}", self.rng.range(2, 30))
        };
        let ua = match (hop, kind) {
            (0, WEBHOOK_KIND) => "Stripe/1.0 (+https://stripe.com/docs/webhooks)".to_string(),
            (0, _) => "acme-storefront/2.8.0 (+okhttp/4.12.0)".to_string(),
            _ => format!("{}/2.{} (internal)", self.name(self.p.chain[hop - 1]), hop),
        };
        let a = Access {
            ip: &ip,
            method: KINDS[kind].method,
            path,
            status: code,
            bytes: self.rng.range(60, 4000) as u32,
            ua: &ua,
            rt_ms: t1 - t0,
            upstream_ms: Some((t1 - t0 - 1).max(0)),
        };
        self.w.access(s, t1, &a, rid)
    }

    /// A scheduled sync batch of `chain[hop]` (an app with a callee).
    pub fn job(&mut self, hop: usize, t: i64, batch: u64) {
        let s = self.p.chain[hop];
        let k = self.rng.range(0, 4) as usize;
        let msg = format!("Sync batch {batch} started: {k} pending");
        self.w.log(s, t, Level::Info, "jobs", "scheduling-1", &msg, None, &[], &[]);
        let mut tt = t + 10;
        let mut failed = 0;
        for _ in 0..k {
            let kind = self.rng.range(0, 4) as usize;
            let rid = self.rid();
            self.res = self.rng.next_u64();
            let (e, r) = self.outgoing(hop, tt, kind, &rid, self.p.chain.len());
            failed += usize::from(r.is_some());
            tt = e + 20;
        }
        let msg =
            format!("Sync batch {batch} finished: {} synced, {failed} failed in {} ms", k - failed, tt - t);
        let lvl = if failed > 0 { Level::Warn } else { Level::Info };
        self.w.log(s, tt, lvl, "jobs", "scheduling-1", &msg, None, &[], &[]);
    }

    /// Periodic backlog warnings at the cause's caller once the cause bites.
    pub fn backlog(&mut self) {
        let (Some(f), true) = (self.first_cause, self.p.backlog) else {
            return;
        };
        let a = self.p.chain[self.p.cause_pos - 1];
        if !self.app(a) {
            return;
        }
        let mut t = f + self.rng.range(30_000, 150_000);
        let mut depth = 51 + self.rng.below(10);
        while t < self.w.end {
            let said = wording::backlog(self.stack(a), depth, (t - f) / 1000);
            self.w.say(a, t, &said, "scheduling-1", None, Some(("other", "queue backlog")));
            depth += self.rng.range(3, 25) as u64;
            t += self.rng.range(15_000, 31_000);
        }
    }
}
