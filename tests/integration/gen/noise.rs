//! Everything that is not the incident's cascade: steady background error
//! series (a 404 here, a read timeout that a retry fixes, a 429, and often
//! the cause's own category in another system), INFO/DEBUG chatter with
//! decoys (`expires in 3600 s`, durations of 401 ms), nginx health checks
//! and static files, and the harmless trigger line before the cause.

use super::format::{Access, Level, Stack};
use super::plan::{Bg, KINDS};
use super::traffic::Sim;
use super::wording::{self, mirror_category, retryable, status};

impl Sim<'_> {
    /// Emits every background series over the whole window.
    pub fn background(&mut self) {
        for i in 0..self.p.background.len() {
            let bg = &self.p.background[i];
            let mut t = self.w.start + self.rng.exp_ms(bg.mean_ms / 2.0);
            while t < self.w.end {
                self.bg_event(bg, t);
                t += self.rng.exp_ms(bg.mean_ms);
            }
        }
    }

    fn bg_event(&mut self, bg: &Bg, t: i64) {
        let b = bg.sys;
        let bn = self.name(b);
        let an = bg.caller.map_or("partner-portal", |a| self.name(a));
        let rid = self.rid();
        let kind = self.rng.range(0, 4) as usize;
        self.res = self.rng.next_u64();
        let method = KINDS[kind].method;
        let hop = self.p.chain.iter().position(|&x| x == b).unwrap();
        let path = if self.w.systems[b].is_nginx() && bg.cat == "not_found" {
            self.rng
                .pick(&["/wp-login.php", "/.env", "/admin/config.php", "/api/v0/orders", "/.git/HEAD"])
                .to_string()
        } else {
            self.path(hop, kind, an)
        };
        let url = self.url(b);
        let n = self.rng.next_u64();
        let mut said =
            wording::failure(bg.cat, self.w.systems[b].stack(), &self.ctx(an, bn, method, &path, &url, n));
        if !self.p.stack_traces || n % 2 == 0 {
            said.trace.clear();
        }
        let th = format!("http-nio-8080-exec-{}", self.rng.range(1, 200));
        if self.w.systems[b].is_nginx() {
            let ip = format!("203.0.113.{}", self.rng.range(2, 250));
            self.w.say(b, t, &said, &th, None, Some((bg.cat, "background")));
            let a = Access {
                ip: &ip,
                method,
                path: &path,
                status: status(bg.cat),
                bytes: 153,
                ua: "Mozilla/5.0 (compatible; scanner)",
                rt_ms: 0,
                upstream_ms: None,
            };
            self.w.access(b, t, &a, &rid);
            return;
        }
        let caller = bg.caller;
        if bg.cat == "timeout" {
            if let Some(a) = caller.filter(|&a| !self.w.systems[a].is_nginx()) {
                // a slow query on the callee, a read timeout on the caller, fine on the retry
                let msg = format!(
                    "slow query took {} ms: SELECT o.* FROM orders o WHERE o.external_ref = $1",
                    30_500 + n % 5000
                );
                self.w.log(b, t + 31_000, Level::Warn, "db", &th, &msg, Some(&rid), &[], &[]);
                let said = wording::read_timeout(
                    self.w.systems[a].stack(),
                    &self.ctx(an, bn, method, &path, &url, n),
                );
                self.w.say(a, t + 30_000, &said, &th, Some(&rid), Some(("timeout", "background")));
                let msg = format!("retry succeeded for {method} {path} on attempt 2/3");
                self.w.log(a, t + 31_400, Level::Info, "retry", &th, &msg, Some(&rid), &[], &[]);
                return;
            }
        }
        self.w.say(b, t, &said, &th, Some(&rid), Some((bg.cat, "background")));
        self.request_log(b, t - 3, t + 1, method, &path, status(bg.cat), &rid);
        let Some(a) = caller else { return };
        if self.w.systems[a].is_nginx() {
            let a_ip = format!("10.0.3.{}", self.rng.range(2, 60));
            let acc = Access {
                ip: &a_ip,
                method,
                path: &path,
                status: status(bg.cat),
                bytes: 90,
                ua: "acme-storefront/2.8.0 (+okhttp/4.12.0)",
                rt_ms: 6,
                upstream_ms: Some(5),
            };
            self.w.access(a, t + 3, &acc, &rid);
            return;
        }
        if let Some(m) =
            wording::mirror(bg.cat, self.w.systems[a].stack(), &self.ctx(an, bn, method, &path, &url, n))
        {
            self.w.say(a, t + 3, &m, &th, Some(&rid), Some((mirror_category(bg.cat), "background")));
        }
        if retryable(bg.cat) {
            let msg = format!("retry succeeded for {method} {path} on attempt 2/3");
            self.w.log(a, t + 1_010, Level::Info, "retry", &th, &msg, Some(&rid), &[], &[]);
        }
    }

    /// INFO/DEBUG lines of every system, health checks and static files.
    pub fn chatter(&mut self) {
        for s in 0..self.w.systems.len() {
            let mean = self.rng.uniform(4_000.0, 30_000.0);
            let mut t = self.w.start + self.rng.range(0, 5000);
            let mut i = 0u64;
            while t < self.w.end {
                i += 1;
                self.chatter_line(s, t, i);
                t += self.rng.exp_ms(mean);
            }
        }
    }

    fn chatter_line(&mut self, s: usize, t: i64, i: u64) {
        if self.w.systems[s].is_nginx() {
            let ip = format!("10.0.0.{}", self.rng.range(2, 9));
            let (path, ua, code) = if i % 3 == 0 {
                ("/healthz".to_string(), "kube-probe/1.29", 200)
            } else {
                let f = *self.rng.pick(&[
                    "/static/app.3f9c1e7a.js",
                    "/static/app.3f9c1e7a.css",
                    "/favicon.ico",
                    "/static/logo.svg",
                ]);
                (
                    f.to_string(),
                    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0",
                    *self.rng.pick(&[200, 304, 304]),
                )
            };
            let rid = self.rng.hex(32);
            let a = Access {
                ip: &ip,
                method: "GET",
                path: &path,
                status: code,
                bytes: self.rng.range(0, 90_000) as u32,
                ua,
                rt_ms: 0,
                upstream_ms: None,
            };
            self.w.access(s, t, &a, &rid);
            return;
        }
        let r = self.rng.below(8);
        let n = self.rng.range(1, 20);
        let (level, comp, msg) = match (r, self.w.systems[s].stack()) {
            (0, Stack::Java) => (
                Level::Debug,
                "db",
                format!("HikariPool-1 - Pool stats (total=20, active={n}, idle={}, waiting=0)", 20 - n),
            ),
            (0, _) => (Level::Debug, "db", format!("pool stats open={} in_use={n} idle={}", n + 5, 5)),
            (1, _) => (
                Level::Debug,
                "cache",
                format!(
                    "cache hit product sku=SKU-{:05} age_ms={}",
                    self.rng.range(10_000, 99_999),
                    self.rng.range(2000, 580_000)
                ),
            ),
            (2, _) => (
                Level::Info,
                "auth",
                format!("Access token still valid (expires in {} s), reusing", self.rng.range(60, 3600)),
            ),
            (3, _) => (
                Level::Info,
                "jobs",
                format!(
                    "processed batch id=b-{} items={} duration_ms={}",
                    self.rng.hex(6),
                    n,
                    *self.rng.pick(&[401, 404, 500, 503, 129, 87])
                ),
            ),
            (4, _) => (
                Level::Debug,
                "metrics",
                format!("metrics flushed series={} took {} ms", self.rng.range(200, 900), n),
            ),
            (5, _) => (
                Level::Info,
                "auth",
                "token issued, expires in 3600 s (grant_type=client_credentials)".to_string(),
            ),
            (6, Stack::Java) => (
                Level::Debug,
                "gc",
                format!(
                    "GC pause (G1 Evacuation Pause) {} ms, heap {}M->{}M",
                    n + 3,
                    400 + n * 10,
                    200 + n * 5
                ),
            ),
            _ => (Level::Debug, "health", "health check ok: db=up cache=up".to_string()),
        };
        self.w.log(s, t, level, comp, "main", &msg, None, &[], &[]);
    }

    /// The harmless-looking change that precedes the cause; returns its
    /// time and text.
    pub fn trigger_line(&mut self) -> (i64, String) {
        let s = self.p.chain[self.p.cause_pos];
        let t = self.p.trigger - self.rng.range(200, 20_000);
        let msg = match self.p.category {
            "authentication" => {
                "signing key rotated old_kid=k-2026-11 new_kid=k-2026-12 overlap_s=0".to_string()
            }
            "rate_limit" => {
                "rate limit policy reloaded: 100 requests per minute per client (was 600)".to_string()
            }
            "webhook" => "webhook signing secret rotated (secret_id=whsec_2)".to_string(),
            "unavailable" => "maintenance mode enabled by ops (ticket OPS-4411)".to_string(),
            "timeout" => "database failover started: primary db-1 -> db-2".to_string(),
            "connectivity" => "network policy updated: egress rules reloaded".to_string(),
            "configuration" => format!(
                "configuration reloaded from config-server (profile=prod, version={})",
                self.rng.hex(7)
            ),
            _ => format!("deployment v2.{}.0 rolled out, instances ready", self.rng.range(10, 40)),
        };
        let msg = if self.w.systems[s].is_nginx() {
            format!("signal process started: reload ({msg})")
        } else {
            msg
        };
        let comp = if self.w.systems[s].is_nginx() { "nginx" } else { "lifecycle" };
        self.w.log(s, t, Level::Info, comp, "main", &msg, None, &[], &[]);
        (t, msg)
    }
}
