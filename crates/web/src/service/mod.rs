//! Application services: each public function is one use case, called by a page handler
//! and an API handler alike. They take checked domain input, apply the rules, and commit
//! the change, its audit facts and its outbox jobs in one transaction.

pub mod accounts;
pub mod bounces;
pub mod claims;
pub mod codes;
pub mod dashboard;
pub mod data_export;
pub mod detecting_verifier;
pub mod erasure;
pub mod forecast;
pub mod four_eyes;
pub mod heavy_work;
pub mod identity;
pub mod inbound_mail;
pub mod inbox;
pub mod interviews;
pub mod key_rotation;
pub mod legalizations;
pub mod notices;
pub mod notify_settings;
pub mod order_files;
pub mod orders;
pub mod passwords;
pub mod payments;
pub mod pensions;
pub mod photo;
pub mod rate_limits;
pub mod retention;
pub mod sign_in;
pub mod staff;
pub mod staff_members;
pub mod staff_orders;
pub mod translation;
pub mod zone_check;
