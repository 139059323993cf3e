//! System names from Kubernetes' log layouts: the workload a pod belongs
//! to (its Deployment, StatefulSet, DaemonSet or Job), so that the replicas
//! of one service are one system, not one per pod folder or hash.

/// The characters Kubernetes draws pod and ReplicaSet suffixes from.
const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn suffix(name: &str, min: usize, max: usize, digits_only: bool) -> Option<&str> {
    let (base, tail) = name.rsplit_once('-')?;
    let ok = (min..=max).contains(&tail.len())
        && if digits_only {
            tail.bytes().all(|b| b.is_ascii_digit())
        } else {
            tail.bytes().all(|b| SAFE.contains(&b))
        };
    (ok && !base.is_empty()).then_some(base)
}

/// The workload of a pod: `orders-7d9f8b6c4d-x2k9z` → `orders`
/// (Deployment), `db-0` → `db` (StatefulSet), `agent-x2k9z` → `agent`
/// (DaemonSet, Job), `backup-29012345-x2k9z` → `backup` (CronJob).
pub fn workload(pod: &str) -> String {
    if let Some(base) = suffix(pod, 5, 5, false) {
        return suffix(base, 8, 10, false).or_else(|| suffix(base, 8, 12, true)).unwrap_or(base).to_string();
    }
    suffix(pod, 1, 4, true).unwrap_or(pod).to_string()
}

/// `NS_POD_UID` (a folder of `/var/log/pods`): the pod's workload.
pub fn pod_folder(name: &str) -> Option<String> {
    let mut parts = name.splitn(3, '_');
    let (ns, pod, uid) = (parts.next()?, parts.next()?, parts.next()?);
    let uuid = uid.len() == 36 && uid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    (uuid && !ns.is_empty() && !pod.is_empty()).then(|| workload(pod))
}

/// `POD_NS_CONTAINER-<64 hex>.log` (a link in `/var/log/containers`):
/// the pod's workload.
pub fn container_log(file: &str) -> Option<String> {
    let stem = file.strip_suffix(".log")?;
    let (rest, id) = stem.rsplit_once('-')?;
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut parts = rest.splitn(3, '_');
    let (pod, ns, container) = (parts.next()?, parts.next()?, parts.next()?);
    (!ns.is_empty() && !container.is_empty()).then(|| workload(pod))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workloads_of_pods() {
        assert_eq!(workload("orders-7d9f8b6c4d-x2k9z"), "orders");
        assert_eq!(workload("erp-api-5d78c9869d-q8w7n"), "erp-api");
        assert_eq!(workload("postgres-0"), "postgres");
        assert_eq!(workload("fluent-bit-x2k9z"), "fluent-bit");
        assert_eq!(workload("backup-29012345-x2k9z"), "backup");
        assert_eq!(workload("standalone"), "standalone");
        let uid = "0c9b4b1e-6f0b-4f3a-9d59-2b6f3e0c1a7d";
        assert_eq!(pod_folder(&format!("shop_orders-7d9f8b6c4d-x2k9z_{uid}")).as_deref(), Some("orders"));
        assert_eq!(pod_folder("crm"), None);
        let id = "a".repeat(64);
        assert_eq!(
            container_log(&format!("orders-7d9f8b6c4d-x2k9z_shop_orders-{id}.log")).as_deref(),
            Some("orders")
        );
        assert_eq!(container_log("app-2026-11-24.log"), None);
    }
}
