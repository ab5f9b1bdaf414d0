//! The file store's contract, on the local disk and on a real S3 server (SeaweedFS).

use lingshi_storage::blobs::BlobStore;
use lingshi_storage::{KeyChange, MasterKey, StorageError, Vault, both_blob_stores};

fn vault() -> Vault {
    Vault::new(&MasterKey::generate().expect("key"))
}

both_blob_stores!(blobs_are_encrypted_and_addressed_by_hash, |store: BlobStore| async move {
    let vault = vault();
    let key = store.put(&vault, "face_capture", b"\x89PNG secret face").await.expect("put");
    assert_eq!(key.len(), 64);
    assert!(!store.raw(&key).await.expect("raw").windows(6).any(|w| w == b"secret"));
    assert_eq!(store.get(&vault, "face_capture", &key).await.expect("get"), b"\x89PNG secret face");
    assert!(store.get(&vault, "other_kind", &key).await.is_err(), "another kind does not open it");
    assert!(matches!(store.get(&vault, "face_capture", "../../etc/passwd").await, Err(StorageError::NotFound)));
});

both_blob_stores!(missing_and_deleted_blobs_are_not_found, |store: BlobStore| async move {
    let vault = vault();
    let absent = "ab".repeat(32);
    assert!(matches!(store.get(&vault, "photo", &absent).await, Err(StorageError::NotFound)));
    store.delete(&absent).await.expect("deleting what is gone is no error");
    let key = store.put(&vault, "photo", b"a photo").await.expect("put");
    store.delete(&key).await.expect("delete");
    assert!(matches!(store.get(&vault, "photo", &key).await, Err(StorageError::NotFound)));
});

both_blob_stores!(a_large_file_is_stored_whole, |store: BlobStore| async move {
    let vault = vault();
    // Larger than the object store's single-request limit here (8 MiB): sent in parts there.
    let bytes: Vec<u8> = (0..12 * 1024 * 1024 + 17).map(|i: usize| (i.wrapping_mul(31) % 251) as u8).collect();
    let key = store.put(&vault, "order_files", &bytes).await.expect("put");
    assert_eq!(store.get(&vault, "order_files", &key).await.expect("get"), bytes);
});

both_blob_stores!(a_key_rotation_seals_every_blob_again, |store: BlobStore| async move {
    let (old, new) = (vault(), vault());
    let mut keys = Vec::new();
    for n in 0..5 {
        keys.push(store.put(&old, "order_files", format!("file {n}").as_bytes()).await.expect("put"));
    }
    let stranger = vault();
    let foreign = store.put(&stranger, "order_files", b"under another key").await.expect("put");
    let mut reported = 0;
    let (resealed, unreadable) = store
        .reseal_all(KeyChange { old: &old, new: &new }, &["order_files"], &mut |done| reported = done)
        .await
        .expect("reseal");
    assert_eq!((resealed, unreadable, reported), (5, 1, 5));
    for (n, key) in keys.iter().enumerate() {
        assert_eq!(store.get(&new, "order_files", key).await.expect("new key"), format!("file {n}").as_bytes());
        assert!(store.get(&old, "order_files", key).await.is_err(), "the old key opens nothing");
    }
    assert_eq!(store.get(&stranger, "order_files", &foreign).await.expect("left as it was"), b"under another key");
});

#[tokio::test]
async fn an_unreachable_missing_or_refusing_bucket_stops_the_start_with_the_reason() {
    let mut settings = lingshi_storage::testing::s3_settings();
    let missing = BlobStore::open_url("s3://no-such-bucket-here/files", settings.clone()).await;
    assert!(
        matches!(&missing, Err(StorageError::BlobStore(reason)) if reason.contains("no-such-bucket-here")),
        "{missing:?}"
    );
    let mut forged = settings.clone();
    forged.retain(|(name, _)| *name != "AWS_SECRET_ACCESS_KEY");
    forged.push(("AWS_SECRET_ACCESS_KEY", "not-the-secret".to_owned()));
    let refused = BlobStore::open_url("s3://lingshi-test", forged).await;
    assert!(matches!(refused, Err(StorageError::BlobStore(_))), "the server checks signatures: {refused:?}");
    settings[0].1 = "http://127.0.0.1:9".to_owned();
    let unreachable = BlobStore::open_url("s3://lingshi-test", settings).await;
    assert!(matches!(unreachable, Err(StorageError::BlobStore(_))), "{unreachable:?}");
    let malformed = BlobStore::open_url("s3://", lingshi_storage::testing::s3_settings()).await;
    assert!(matches!(malformed, Err(StorageError::BlobStore(_))));
}
