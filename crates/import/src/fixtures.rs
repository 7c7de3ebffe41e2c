//! A typical PicGo setup for the tests: two S3 configs (R2 and a local MinIO), one of them
//! mirrored into `picBed` as PicGo does, and the secrets that must never leak.

use serde_json::{Value, json};

use crate::plan::Plan;
use crate::profiles::PlannedProfile;

pub const R2_SECRET: &str = "r2-secret-DO-NOT-LEAK";
pub const MINIO_SECRET: &str = "minio-secret-DO-NOT-LEAK";

pub fn picgo_two_configs() -> Value {
    json!({
        "picBed": {
            "current": "aws-s3",
            "uploader": "aws-s3",
            // The mirror of the default list entry: must not become a third profile.
            "aws-s3": {
                "_id": "id-minio", "_configName": "MinIO local",
                "accessKeyID": "AKMINIO", "secretAccessKey": MINIO_SECRET,
                "bucketName": "imgs", "endpoint": "http://127.0.0.1:9000",
                "pathStyleAccess": true, "urlPrefix": "https://img.example.com/"
            }
        },
        "uploader": {
            "aws-s3": {
                "defaultId": "id-minio",
                "configList": [
                    {
                        "_id": "id-r2", "_configName": "R2 blog",
                        "accessKeyID": "AKR2", "secretAccessKey": R2_SECRET,
                        "bucketName": "blog",
                        "uploadPath": "{year}/{month}/{md5}.{extName}",
                        "endpoint": "https://0123abcd.r2.cloudflarestorage.com",
                        "region": "", "acl": "public-read",
                        "urlPrefix": "https://img.blog.example", "urlSuffix": "?v=1",
                        "pathStyleAccess": false, "rejectUnauthorized": true
                    },
                    {
                        "_id": "id-minio", "_configName": "MinIO local",
                        "accessKeyID": "AKMINIO", "secretAccessKey": MINIO_SECRET,
                        "bucketName": "imgs", "uploadPath": "",
                        "endpoint": "http://127.0.0.1:9000", "region": "us-east-1",
                        "pathStyleAccess": true, "rejectUnauthorized": false,
                        "urlPrefix": "https://img.example.com/", "acl": "public-read",
                        "proxy": "127.0.0.1:1080"
                    }
                ]
            }
        },
        "settings": {"pasteStyle": "markdown", "server": {"port": 36677, "enable": true}}
    })
}

pub fn profile<'a>(plan: &'a Plan, name: &str) -> &'a PlannedProfile {
    plan.profiles
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| {
            panic!(
                "no {name} in {:?}",
                plan.profiles.iter().map(|p| &p.name).collect::<Vec<_>>()
            )
        })
}
