//! Demo data: the bureau of the seed document (石家庄市鹿泉区人力资源和社会保障局),
//! its offices and brigade, the bodies it supervises, about thirty staff with
//! certificates, and one account per role.

use chrono::NaiveDate;
use domain::{
    Role, ScopeKind,
    org::{
        CertificateInput, CertificateKind, RelationInput, RelationKind, StaffInput, UnitInput,
        UnitKind,
    },
};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::{
    AuditCtx, Db, Result,
    entity::org_unit,
    repo::{staff, units, users},
};

const SEED_LOCK: i64 = 0x6a67_7365_6564;

/// The password of every demo account (demo mode only; printed at start).
pub const DEMO_PASSWORD: &str = "Luquan-2026!";

struct U(
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    UnitKind,
);

const UNITS: &[U] = &[
    U(
        "SJZ-RSJ",
        "石家庄市人力资源和社会保障局",
        "市人社局",
        None,
        UnitKind::CityBureau,
    ),
    U(
        "LQ-RSJ",
        "石家庄市鹿泉区人力资源和社会保障局",
        "鹿泉区人社局",
        Some("SJZ-RSJ"),
        UnitKind::DistrictBureau,
    ),
    U(
        "LQ-FZ",
        "政策法规股（法制机构）",
        "法规股",
        Some("LQ-RSJ"),
        UnitKind::LegalOffice,
    ),
    U(
        "LQ-JY",
        "就业促进股",
        "就业股",
        Some("LQ-RSJ"),
        UnitKind::BusinessDepartment,
    ),
    U(
        "LQ-SC",
        "人力资源流动管理股",
        "人力资源股",
        Some("LQ-RSJ"),
        UnitKind::BusinessDepartment,
    ),
    U(
        "LQ-ZN",
        "职业能力建设股",
        "职业能力股",
        Some("LQ-RSJ"),
        UnitKind::BusinessDepartment,
    ),
    U(
        "LQ-LG",
        "劳动关系股",
        "劳动关系股",
        Some("LQ-RSJ"),
        UnitKind::BusinessDepartment,
    ),
    U(
        "LQ-JJ",
        "机关纪检监察室（监察机构）",
        "纪检监察室",
        Some("LQ-RSJ"),
        UnitKind::DisciplineOffice,
    ),
    U(
        "LQ-DD",
        "石家庄市鹿泉区劳动和社会保障监察大队",
        "监察大队",
        Some("LQ-RSJ"),
        UnitKind::InspectionBrigade,
    ),
    U(
        "LQ-DD-1",
        "监察一中队",
        "一中队",
        Some("LQ-DD"),
        UnitKind::InspectionBrigade,
    ),
    U(
        "LQ-DD-2",
        "监察二中队",
        "二中队",
        Some("LQ-DD"),
        UnitKind::InspectionBrigade,
    ),
    U(
        "LQ-SPJ",
        "石家庄市鹿泉区行政审批局",
        "区审批局",
        None,
        UnitKind::DelegatedBody,
    ),
    U(
        "LQ-TYZ",
        "鹿泉区铜冶镇人民政府",
        "铜冶镇",
        None,
        UnitKind::DelegatedBody,
    ),
    U(
        "EXT-CT",
        "石家庄市鹿泉区城市建设投资有限公司",
        "鹿泉城投",
        None,
        UnitKind::SupervisedBody,
    ),
    U(
        "EXT-HR",
        "河北鹿鸣人力资源服务有限公司",
        "鹿鸣人力",
        None,
        UnitKind::SupervisedBody,
    ),
    U(
        "EXT-JX",
        "石家庄市鹿泉区技工学校",
        "鹿泉技校",
        None,
        UnitKind::SupervisedBody,
    ),
    U(
        "EXT-ZJ",
        "区人社局评审专家库",
        "专家库",
        None,
        UnitKind::Other,
    ),
];

/// (unit code, name, gender, position)
const STAFF: &[(&str, &str, &str, &str)] = &[
    ("LQ-RSJ", "王建国", "male", "局长"),
    ("LQ-RSJ", "李秀英", "female", "副局长"),
    ("LQ-FZ", "张伟", "male", "股长"),
    ("LQ-FZ", "陈静", "female", "法制审核员"),
    ("LQ-FZ", "杨帆", "male", "科员"),
    ("LQ-JY", "赵磊", "male", "股长"),
    ("LQ-JY", "黄敏", "female", "科员"),
    ("LQ-SC", "周杰", "male", "股长"),
    ("LQ-SC", "吴霞", "female", "科员"),
    ("LQ-ZN", "徐涛", "male", "股长"),
    ("LQ-ZN", "孙丽", "female", "科员"),
    ("LQ-LG", "马超", "male", "股长"),
    ("LQ-JJ", "朱红", "female", "纪检监察员"),
    ("LQ-JJ", "胡斌", "male", "纪检监察员"),
    ("LQ-DD", "郭丽娟", "female", "大队长"),
    ("LQ-DD", "何强", "male", "副大队长"),
    ("LQ-DD-1", "高娜", "female", "中队长"),
    ("LQ-DD-1", "林峰", "male", "监察员"),
    ("LQ-DD-1", "罗琳", "female", "监察员"),
    ("LQ-DD-1", "郑凯", "male", "监察员"),
    ("LQ-DD-2", "梁晓燕", "female", "中队长"),
    ("LQ-DD-2", "谢东", "male", "监察员"),
    ("LQ-DD-2", "宋佳", "female", "监察员"),
    ("LQ-DD-2", "唐亮", "male", "监察员"),
    ("LQ-SPJ", "韩雪", "female", "审批科科长"),
    ("LQ-SPJ", "冯志刚", "male", "科员"),
    ("LQ-TYZ", "邓敏", "female", "社会事务办主任"),
    ("LQ-TYZ", "曹阳", "male", "科员"),
    ("LQ-DD-2", "彭丹", "female", "监察员"),
    ("LQ-FZ", "袁志远", "male", "公职律师"),
];

/// (username, role, unit code, staff name or display name, scope)
const ACCOUNTS: &[(&str, Role, &str, &str, ScopeKind)] = &[
    (
        "admin",
        Role::SystemAdmin,
        "LQ-RSJ",
        "系统管理员",
        ScopeKind::All,
    ),
    (
        "secadmin",
        Role::SecurityAdmin,
        "LQ-RSJ",
        "安全管理员",
        ScopeKind::All,
    ),
    (
        "auditor",
        Role::AuditAdmin,
        "LQ-RSJ",
        "审计管理员",
        ScopeKind::All,
    ),
    (
        "juzhang",
        Role::BureauHead,
        "LQ-RSJ",
        "王建国",
        ScopeKind::All,
    ),
    ("fazhi", Role::LegalOfficer, "LQ-FZ", "张伟", ScopeKind::All),
    (
        "yewu",
        Role::BusinessOfficer,
        "LQ-SC",
        "周杰",
        ScopeKind::UnitTree,
    ),
    (
        "jijian",
        Role::DisciplineOfficer,
        "LQ-JJ",
        "朱红",
        ScopeKind::All,
    ),
    (
        "jianchayuan",
        Role::LabourInspector,
        "LQ-DD-1",
        "林峰",
        ScopeKind::Unit,
    ),
    (
        "daduizhang",
        Role::BrigadeHead,
        "LQ-DD",
        "郭丽娟",
        ScopeKind::UnitTree,
    ),
    (
        "chengjie",
        Role::DelegatedBodyStaff,
        "LQ-SPJ",
        "韩雪",
        ScopeKind::Unit,
    ),
    (
        "guoqi",
        Role::SoeAccount,
        "EXT-CT",
        "鹿泉城投（招聘专员）",
        ScopeKind::Unit,
    ),
    (
        "jigou",
        Role::HrAgencyAccount,
        "EXT-HR",
        "鹿鸣人力（业务负责人）",
        ScopeKind::Unit,
    ),
    (
        "jixiao",
        Role::TechSchoolAccount,
        "EXT-JX",
        "鹿泉技校（教务处）",
        ScopeKind::Unit,
    ),
    (
        "zhuanjia",
        Role::ExpertEvaluator,
        "EXT-ZJ",
        "评审专家 刘振华",
        ScopeKind::Own,
    ),
];

pub fn demo_accounts() -> Vec<(&'static str, Role)> {
    ACCOUNTS.iter().map(|a| (a.0, a.1)).collect()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

/// Seeds the demo organisation once; does nothing when units exist already.
/// Returns whether it seeded.
pub async fn seed_demo(db: &Db) -> Result<bool> {
    let ctx = AuditCtx::system("seed-demo");
    let all = domain::Scope::All;
    let mut tx = db.begin_write(&ctx).await?;
    // Several servers may start at once: only the first seeds.
    tx.lock(SEED_LOCK).await?;
    if org_unit::Entity::find().count(tx.conn()).await? > 0 {
        return Ok(false);
    }
    let mut ids = std::collections::HashMap::new();
    for (i, u) in UNITS.iter().enumerate() {
        let input = UnitInput {
            parent_id: u.3.and_then(|p| ids.get(p).copied()),
            code: u.0.into(),
            name: u.1.into(),
            short_name: Some(u.2.into()),
            kind: u.4,
            sort_order: i as i32 * 10,
        };
        let m = units::create(&mut tx, &input).await?;
        ids.insert(u.0, m.id);
    }
    let mut staff_ids = std::collections::HashMap::new();
    for (i, (unit, name, gender, position)) in STAFF.iter().enumerate() {
        let s = staff::create(
            &mut tx,
            &all,
            &StaffInput {
                unit_id: ids[unit],
                name: (*name).into(),
                gender: Some((*gender).into()),
                position: Some((*position).into()),
                phone: Some(format!("0311-8201{:04}", 1000 + i * 7)),
                active: true,
            },
        )
        .await?;
        staff_ids.insert(*name, s.id);
        // Everyone but the last two staff holds a certificate; one has expired.
        if i + 2 < STAFF.len() {
            let kind = if unit.starts_with("LQ-DD") {
                CertificateKind::LabourInspection
            } else if matches!(*unit, "LQ-FZ" | "LQ-JJ") {
                CertificateKind::Supervision
            } else {
                CertificateKind::Enforcement
            };
            let (from, to) = if *name == "谢东" {
                ("2020-03-01", "2025-02-28")
            } else {
                ("2024-01-01", "2028-12-31")
            };
            staff::add_certificate(
                &mut tx,
                &all,
                s.id,
                &CertificateInput {
                    kind,
                    number: format!("冀人社执字130110{:04}", 202_400 + i),
                    issuer: Some("河北省人民政府".into()),
                    valid_from: d(from),
                    valid_to: d(to),
                },
            )
            .await?;
        }
    }
    staff::add_relation(
        &mut tx,
        &all,
        staff_ids["林峰"],
        &RelationInput {
            subject_name: "石家庄鹿泉宏达建材有限公司".into(),
            subject_code: Some("91130110MA0ABCDE1X".into()),
            kind: RelationKind::Relative,
            note: Some("配偶任该公司财务".into()),
            declared_on: d("2025-03-15"),
        },
    )
    .await?;
    for (username, role, unit, name, scope) in ACCOUNTS {
        let staff_id = staff_ids.get(name).copied();
        let u = users::create(
            &mut tx,
            &all,
            &users::NewUser {
                username: (*username).into(),
                display_name: (*name).into(),
                unit_id: ids[unit],
                staff_id,
                password: DEMO_PASSWORD.into(),
            },
        )
        .await?;
        users::assign_role(&mut tx, &all, u.id, *role, *scope, ids[unit]).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Creates an administrator account (`jianguan admin create`). On an empty
/// database it first creates the root unit named `root_unit_name`.
pub async fn create_admin(
    db: &Db,
    username: &str,
    password: &str,
    root_unit_name: &str,
) -> Result<i64> {
    let ctx = AuditCtx::system("admin-create");
    let mut tx = db.begin_write(&ctx).await?;
    let unit_id = match org_unit::Entity::find().one(tx.conn()).await? {
        Some(u) => u.id,
        None => {
            let input = UnitInput {
                parent_id: None,
                code: "ROOT".into(),
                name: root_unit_name.into(),
                short_name: None,
                kind: UnitKind::DistrictBureau,
                sort_order: 0,
            };
            units::create(&mut tx, &input).await?.id
        }
    };
    let u = users::create(
        &mut tx,
        &domain::Scope::All,
        &users::NewUser {
            username: username.into(),
            display_name: "系统管理员".into(),
            unit_id,
            staff_id: None,
            password: password.into(),
        },
    )
    .await?;
    users::assign_role(
        &mut tx,
        &domain::Scope::All,
        u.id,
        Role::SystemAdmin,
        ScopeKind::All,
        unit_id,
    )
    .await?;
    tx.commit().await?;
    Ok(u.id)
}

/// Whether this database was seeded with demo data (a fact in its audit record).
pub async fn is_demo(db: &Db) -> Result<bool> {
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(crate::entity::audit_event::Entity::find()
        .filter(crate::entity::audit_event::Column::ActorName.eq("system:seed-demo"))
        .count(&db.conn)
        .await?
        > 0)
}

/// Demo clocks around `today`, so the workbench shows due and overdue items.
/// A clock whose deadline needs a year without calendar data is skipped (and
/// says so in the log): the engine never guesses.
pub async fn seed_demo_clocks(
    db: &Db,
    rules: &domain::rules::RuleSet,
    today: NaiveDate,
) -> Result<usize> {
    use crate::repo::{calendar, clocks};
    let cal = calendar::load(db).await?;
    let brigade = org_unit::Entity::find()
        .filter(sea_orm::ColumnTrait::eq(&org_unit::Column::Code, "LQ-DD-1"))
        .one(&db.conn)
        .await?;
    let legal = org_unit::Entity::find()
        .filter(sea_orm::ColumnTrait::eq(&org_unit::Column::Code, "LQ-FZ"))
        .one(&db.conn)
        .await?;
    let (Some(brigade), Some(legal)) = (brigade, legal) else {
        return Ok(0);
    };
    let days = |n: i64| today - chrono::Duration::days(n);
    let items: [(&str, &str, &str, NaiveDate, i64); 5] = [
        (
            "complaint.accept",
            "complaint",
            "鹿泉投〔2026〕131号 张某等6人投诉石家庄鹿泉宏达建材有限公司拖欠工资",
            days(4),
            brigade.id,
        ),
        (
            "complaint.accept",
            "complaint",
            "鹿泉投〔2026〕132号 李某投诉鹿泉区某物流公司未签劳动合同",
            days(1),
            brigade.id,
        ),
        (
            "review.apply",
            "notice",
            "鹿人社监〔2026〕7号 执法监督通知书（铜冶镇人民政府）复查申请期",
            days(12),
            legal.id,
        ),
        (
            "enforcement_complaint.answer",
            "enforcement_complaint",
            "执法投诉〔2026〕9号 反映许可窗口超时办理",
            days(27),
            legal.id,
        ),
        (
            "publicity.penalty_licensing",
            "decision",
            "鹿人社监罚〔2026〕15号 行政处罚决定公示",
            days(2),
            brigade.id,
        ),
    ];
    use sea_orm::QueryFilter;
    let mut tx = db.begin_write(&AuditCtx::system("seed-demo")).await?;
    let mut n = 0;
    for (code, item_type, title, start, unit) in items {
        let Some(rule) = rules.get(code) else {
            continue;
        };
        let nc = clocks::NewClock {
            item_type: item_type.into(),
            item_id: title.split(' ').next().unwrap_or(title).into(),
            title: title.split_once(' ').map(|x| x.1).unwrap_or(title).into(),
            rule: rule.clone(),
            unit_id: unit,
            owner_user_id: None,
            started_on: start,
        };
        match clocks::start(&mut tx, &domain::Scope::All, &cal, &nc).await {
            Ok(_) => n += 1,
            Err(e) => tracing::warn!(rule = code, error = %e, "demo clock skipped"),
        }
    }
    if n > 0 {
        tx.commit().await?;
    }
    Ok(n)
}

/// Demo seal images of the district bureau and the inspection brigade
/// (drawn by `scripts/demo/make_seals.py`; a real bureau uploads its own).
pub const DEMO_SEALS: &[(&str, &[u8])] = &[
    (
        "LQ-RSJ",
        include_bytes!("../../../assets/demo/seal-district-bureau.png"),
    ),
    (
        "LQ-DD",
        include_bytes!("../../../assets/demo/seal-inspection-brigade.png"),
    ),
];

/// Stores the demo seals in the file store and attaches them to their units
/// (skipped for units that already have a seal).
pub async fn seed_demo_seals(db: &Db, files: &crate::files::FileStore) -> Result<usize> {
    use crate::repo::documents;
    use sea_orm::{ColumnTrait, QueryFilter};
    if !claim_once(db, "demo:seals").await? {
        return Ok(0);
    }
    let mut tx = db.begin_write(&AuditCtx::system("seed-demo")).await?;
    let mut n = 0;
    for (code, png) in DEMO_SEALS {
        let Some(unit) = org_unit::Entity::find()
            .filter(org_unit::Column::Code.eq(*code))
            .one(tx.conn())
            .await?
        else {
            continue;
        };
        if documents::seal_of(tx.conn(), unit.id).await?.is_some() {
            continue;
        }
        let hash = files
            .put(png.to_vec())
            .await
            .map_err(|e| crate::StorageError::Other(e.to_string()))?;
        documents::set_seal(
            &mut tx,
            &domain::Scope::All,
            unit.id,
            &hash,
            png.len(),
            "image/png",
        )
        .await?;
        n += 1;
    }
    if n > 0 {
        tx.commit().await?;
    }
    Ok(n)
}

/// Claims a one-time seeding step for this database: true for exactly one
/// caller, however many servers start at once (an internal marker row, not
/// business data).
pub async fn claim_once(db: &Db, name: &str) -> Result<bool> {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = db.conn.get_database_backend();
    let row = db
        .conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO key_counters (name, last_value) VALUES ($1, 1) \
             ON CONFLICT (name) DO NOTHING RETURNING last_value",
            [name.into()],
        ))
        .await?;
    Ok(row.is_some())
}
