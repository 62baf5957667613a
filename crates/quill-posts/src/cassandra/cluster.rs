//! What Quill checks of the cluster it connects to: pure functions over what the driver
//! reports.

/// `QUILL_CASSANDRA_DC` must name a datacenter of the cluster: a misspelt one would send
/// every LOCAL_* statement to nowhere, and each request would fail.
pub fn check_datacenter<'a>(
    configured: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Result<(), String> {
    let mut known: Vec<&str> = known.into_iter().collect();
    known.sort_unstable();
    known.dedup();
    if known.contains(&configured) {
        Ok(())
    } else {
        Err(format!(
            "QUILL_CASSANDRA_DC={configured:?} names no datacenter of the cluster; it has {}",
            if known.is_empty() {
                "none that it reports".to_owned()
            } else {
                known.join(", ")
            }
        ))
    }
}

/// How many nodes of the ring the driver holds a connection to.
pub fn nodes_up(connected: impl IntoIterator<Item = bool>) -> usize {
    connected.into_iter().filter(|up| *up).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_datacenter_must_be_one_the_cluster_has() {
        assert_eq!(check_datacenter("dc1", ["dc1", "dc2", "dc1"]), Ok(()));
        assert_eq!(
            check_datacenter("datacenter2", ["datacenter1", "datacenter1"]),
            Err(
                "QUILL_CASSANDRA_DC=\"datacenter2\" names no datacenter of the cluster; \
                 it has datacenter1"
                    .into()
            )
        );
        assert_eq!(
            check_datacenter("DC1", ["dc1"]).map_err(|e| e.contains("it has dc1")),
            Err(true),
            "datacenter names are case-sensitive"
        );
        assert!(check_datacenter("dc1", []).is_err());
    }

    #[test]
    fn only_connected_nodes_count() {
        assert_eq!(nodes_up([true, false, true]), 2);
        assert_eq!(nodes_up([]), 0);
    }
}
