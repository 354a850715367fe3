//! AWS adapters against a real DynamoDB/EventBridge/SQS-compatible server
//! (moto) on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::panic)] // test helpers panic by design

mod support;

use leadscore_aws::DynamoStore;

async fn fresh_store() -> DynamoStore {
    let config = support::sdk_config().await;
    let store = DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&config),
        support::unique("leads"),
    );
    assert!(store.create_table().await.unwrap());
    store
}

mod dynamodb_contract {
    use super::fresh_store;
    leadscore_store::store_contract_tests!(fresh_store());
}

mod dynamodb_specifics {
    use super::*;
    use leadscore_store::Store;

    #[tokio::test]
    async fn create_table_is_idempotent() {
        let store = fresh_store().await;
        assert!(
            !store.create_table().await.unwrap(),
            "second create reports the existing table"
        );
    }

    #[tokio::test]
    async fn large_snapshots_are_compressed_and_round_trip() {
        use leadscore_core::domain::{Domain, EnrichmentSnapshot};
        let store = fresh_store().await;
        let snap = EnrichmentSnapshot {
            domain: Domain::parse("big.example").unwrap(),
            enriched_at: leadscore_store::contract::t0(),
            signals: Vec::new(),
            details: serde_json::json!({ "pages": vec!["<html>".repeat(20_000); 3] }),
            errors: Vec::new(),
        };
        store.put_snapshot(&snap).await.unwrap();
        assert_eq!(
            store.latest_snapshot(&snap.domain).await.unwrap(),
            Some(snap)
        );
    }
}
