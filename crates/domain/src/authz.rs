//! Roles, permissions and data scopes.
//!
//! A role grants a fixed set of permissions (the table in [`Role::permissions`]).
//! A role *assignment* adds a data scope anchored at an org unit. For each
//! permission the effective scope of an actor is the union of the scopes of
//! the assignments whose role grants it; repositories take that [`Scope`] as a
//! required argument and turn it into a query condition.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Every permission in the system. Documented in `docs/architecture.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See org units.
    UnitRead,
    /// Create, edit and delete org units.
    UnitWrite,
    /// See staff, their certificates and declared relationships.
    StaffRead,
    /// Create, edit and delete staff, certificates and relationships.
    StaffWrite,
    /// See user accounts.
    UserRead,
    /// Create and disable user accounts (system administrator).
    UserWrite,
    /// Grant and revoke roles, unlock accounts, reset passwords (security administrator).
    RoleAssign,
    /// Read the whole-process record and verify its chain (audit administrator).
    AuditRead,
    /// Approve extensions and major decisions (bureau head).
    MajorDecision,
    /// Enforcement and hierarchical supervision, legal review, 复查 decisions.
    LegalSupervision,
    /// Business guidance and supervision of delegated licensing.
    BusinessSupervision,
    /// Discipline supervision.
    DisciplineSupervision,
    /// Labour-inspection case work.
    InspectionCase,
    /// Act as a supervised body (submit reports and applications for itself).
    SupervisedBody,
    /// Expert evaluation.
    ExpertEvaluation,
    /// Maintain the official holiday calendar (system administrator).
    CalendarAdmin,
    /// See statutory clocks and their reminders.
    ClockRead,
    /// Start, suspend, resume and complete statutory clocks (extensions also need `MajorDecision`).
    ClockWrite,
    /// See official documents (文书) and their service records.
    DocumentRead,
    /// Draft documents, submit them for legal review, record service.
    DocumentDraft,
    /// Sign and seal documents, which issues them with a number.
    DocumentSign,
    /// Upload a unit's electronic seal image.
    SealManage,
    /// See the registry of regulated subjects.
    SubjectRead,
    /// Add and change regulated subjects (and import them).
    SubjectWrite,
}

impl Permission {
    pub const ALL: [Permission; 24] = [
        Permission::UnitRead,
        Permission::UnitWrite,
        Permission::StaffRead,
        Permission::StaffWrite,
        Permission::UserRead,
        Permission::UserWrite,
        Permission::RoleAssign,
        Permission::AuditRead,
        Permission::MajorDecision,
        Permission::LegalSupervision,
        Permission::BusinessSupervision,
        Permission::DisciplineSupervision,
        Permission::InspectionCase,
        Permission::SupervisedBody,
        Permission::ExpertEvaluation,
        Permission::CalendarAdmin,
        Permission::ClockRead,
        Permission::ClockWrite,
        Permission::DocumentRead,
        Permission::DocumentDraft,
        Permission::DocumentSign,
        Permission::SealManage,
        Permission::SubjectRead,
        Permission::SubjectWrite,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Permission::UnitRead => "unit_read",
            Permission::UnitWrite => "unit_write",
            Permission::StaffRead => "staff_read",
            Permission::StaffWrite => "staff_write",
            Permission::UserRead => "user_read",
            Permission::UserWrite => "user_write",
            Permission::RoleAssign => "role_assign",
            Permission::AuditRead => "audit_read",
            Permission::MajorDecision => "major_decision",
            Permission::LegalSupervision => "legal_supervision",
            Permission::BusinessSupervision => "business_supervision",
            Permission::DisciplineSupervision => "discipline_supervision",
            Permission::InspectionCase => "inspection_case",
            Permission::SupervisedBody => "supervised_body",
            Permission::ExpertEvaluation => "expert_evaluation",
            Permission::CalendarAdmin => "calendar_admin",
            Permission::ClockRead => "clock_read",
            Permission::ClockWrite => "clock_write",
            Permission::DocumentRead => "document_read",
            Permission::DocumentDraft => "document_draft",
            Permission::DocumentSign => "document_sign",
            Permission::SealManage => "seal_manage",
            Permission::SubjectRead => "subject_read",
            Permission::SubjectWrite => "subject_write",
        }
    }
}

/// The roles of the bureau (from the seed document) plus the three separated
/// administrators required by MLPS level 3 (三员分立).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员: org units, staff, accounts. Cannot grant roles or read the audit log.
    SystemAdmin,
    /// 安全管理员: grants roles, unlocks accounts. Cannot edit business data or read the audit log.
    SecurityAdmin,
    /// 审计管理员: reads and verifies the audit log. Nothing else.
    AuditAdmin,
    /// 局领导
    BureauHead,
    /// 法制机构工作人员
    LegalOfficer,
    /// 业务机构工作人员
    BusinessOfficer,
    /// 监察机构工作人员 (discipline)
    DisciplineOfficer,
    /// 劳动保障监察员
    LabourInspector,
    /// 监察大队负责人
    BrigadeHead,
    /// 承接机关工作人员
    DelegatedBodyStaff,
    /// 区属国有企业账号
    SoeAccount,
    /// 人力资源服务机构账号
    HrAgencyAccount,
    /// 技工学校账号
    TechSchoolAccount,
    /// 评审专家
    ExpertEvaluator,
}

impl Role {
    pub const ALL: [Role; 14] = [
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
        Role::BureauHead,
        Role::LegalOfficer,
        Role::BusinessOfficer,
        Role::DisciplineOfficer,
        Role::LabourInspector,
        Role::BrigadeHead,
        Role::DelegatedBodyStaff,
        Role::SoeAccount,
        Role::HrAgencyAccount,
        Role::TechSchoolAccount,
        Role::ExpertEvaluator,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
            Role::BureauHead => "bureau_head",
            Role::LegalOfficer => "legal_officer",
            Role::BusinessOfficer => "business_officer",
            Role::DisciplineOfficer => "discipline_officer",
            Role::LabourInspector => "labour_inspector",
            Role::BrigadeHead => "brigade_head",
            Role::DelegatedBodyStaff => "delegated_body_staff",
            Role::SoeAccount => "soe_account",
            Role::HrAgencyAccount => "hr_agency_account",
            Role::TechSchoolAccount => "tech_school_account",
            Role::ExpertEvaluator => "expert_evaluator",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether this is one of the three separated administrator roles.
    pub fn is_admin_triad(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin
        )
    }

    /// The role → permission table. This is the single source of truth; the
    /// route matrix test checks every route against it.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::SystemAdmin => &[
                UnitRead,
                UnitWrite,
                StaffRead,
                StaffWrite,
                UserRead,
                UserWrite,
                CalendarAdmin,
            ],
            Role::SecurityAdmin => &[UserRead, RoleAssign],
            Role::AuditAdmin => &[AuditRead],
            Role::BureauHead => &[
                UnitRead,
                StaffRead,
                MajorDecision,
                ClockRead,
                ClockWrite,
                DocumentRead,
                DocumentSign,
                SealManage,
                SubjectRead,
            ],
            Role::LegalOfficer => &[
                UnitRead,
                StaffRead,
                LegalSupervision,
                ClockRead,
                ClockWrite,
                DocumentRead,
                DocumentDraft,
                SubjectRead,
            ],
            Role::BusinessOfficer => &[
                UnitRead,
                StaffRead,
                BusinessSupervision,
                ClockRead,
                ClockWrite,
                DocumentRead,
                DocumentDraft,
                SubjectRead,
                SubjectWrite,
            ],
            Role::DisciplineOfficer => &[
                UnitRead,
                StaffRead,
                DisciplineSupervision,
                ClockRead,
                ClockWrite,
                DocumentRead,
                DocumentDraft,
                SubjectRead,
            ],
            Role::LabourInspector => &[
                UnitRead,
                StaffRead,
                InspectionCase,
                ClockRead,
                ClockWrite,
                DocumentRead,
                DocumentDraft,
                SubjectRead,
                SubjectWrite,
            ],
            Role::BrigadeHead => &[
                UnitRead,
                StaffRead,
                InspectionCase,
                MajorDecision,
                ClockRead,
                ClockWrite,
                DocumentRead,
                DocumentDraft,
                DocumentSign,
                SubjectRead,
                SubjectWrite,
            ],
            Role::DelegatedBodyStaff => &[UnitRead, SupervisedBody, ClockRead],
            Role::SoeAccount | Role::HrAgencyAccount | Role::TechSchoolAccount => &[SupervisedBody],
            Role::ExpertEvaluator => &[ExpertEvaluation],
        }
    }

    /// The scope a new assignment of this role gets unless told otherwise.
    pub fn default_scope(self) -> ScopeKind {
        match self {
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin | Role::BureauHead => {
                ScopeKind::All
            }
            Role::LegalOfficer | Role::DisciplineOfficer => ScopeKind::All,
            Role::BusinessOfficer | Role::BrigadeHead => ScopeKind::UnitTree,
            Role::LabourInspector => ScopeKind::Unit,
            Role::DelegatedBodyStaff
            | Role::SoeAccount
            | Role::HrAgencyAccount
            | Role::TechSchoolAccount => ScopeKind::Unit,
            Role::ExpertEvaluator => ScopeKind::Own,
        }
    }

    pub fn grants(self, p: Permission) -> bool {
        self.permissions().contains(&p)
    }
}

/// How far a role assignment reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    /// 本人: records the person created or is assigned to.
    Own,
    /// 本单位: records of the anchor unit.
    Unit,
    /// 本单位及下级: the anchor unit and all units below it.
    UnitTree,
    /// 全部
    All,
}

impl ScopeKind {
    pub const ALL: [ScopeKind; 4] = [
        ScopeKind::Own,
        ScopeKind::Unit,
        ScopeKind::UnitTree,
        ScopeKind::All,
    ];
    pub fn code(self) -> &'static str {
        match self {
            ScopeKind::Own => "own",
            ScopeKind::Unit => "unit",
            ScopeKind::UnitTree => "unit_tree",
            ScopeKind::All => "all",
        }
    }
    pub fn from_code(code: &str) -> Option<ScopeKind> {
        ScopeKind::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// One role assignment with its scope already resolved to unit ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub role: Role,
    pub scope_kind: ScopeKind,
    pub anchor_unit_id: i64,
    /// For `Unit` the anchor; for `UnitTree` the anchor and its descendants; empty otherwise.
    pub unit_ids: Vec<i64>,
}

/// The effective data scope for one permission: a query condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Scope {
    /// No restriction.
    All,
    /// Records belonging to any of these units, or to the actor personally.
    Limited {
        unit_ids: BTreeSet<i64>,
        /// The actor's own user id, for `Own` scopes.
        own_user_id: Option<i64>,
        /// The actor's staff id, when the actor is a staff member.
        own_staff_id: Option<i64>,
    },
}

impl Scope {
    pub fn allows_unit(&self, unit_id: i64) -> bool {
        match self {
            Scope::All => true,
            Scope::Limited { unit_ids, .. } => unit_ids.contains(&unit_id),
        }
    }
    pub fn is_all(&self) -> bool {
        matches!(self, Scope::All)
    }
}

/// Denied: no role of the actor grants the permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("permission {0:?} denied")]
pub struct Forbidden(pub Permission);

/// The union of the scopes of the assignments that grant `perm`.
pub fn effective_scope(
    assignments: &[Assignment],
    perm: Permission,
    user_id: i64,
    staff_id: Option<i64>,
) -> Result<Scope, Forbidden> {
    let mut granted = false;
    let mut units = BTreeSet::new();
    let mut own = false;
    for a in assignments.iter().filter(|a| a.role.grants(perm)) {
        granted = true;
        match a.scope_kind {
            ScopeKind::All => return Ok(Scope::All),
            ScopeKind::Own => own = true,
            ScopeKind::Unit | ScopeKind::UnitTree => units.extend(a.unit_ids.iter().copied()),
        }
    }
    if !granted {
        return Err(Forbidden(perm));
    }
    Ok(Scope::Limited {
        unit_ids: units,
        own_user_id: own.then_some(user_id),
        own_staff_id: if own { staff_id } else { None },
    })
}

/// 三员分立: an account may not hold two of the three administrator roles,
/// nor an administrator role together with a business role.
pub fn check_separation(existing: &[Role], new: Role) -> Result<(), &'static str> {
    if existing.contains(&new) {
        return Err("role.already_assigned");
    }
    let new_admin = new.is_admin_triad();
    for r in existing {
        if r.is_admin_triad() && new_admin {
            return Err("role.separation_admins");
        }
        if r.is_admin_triad() != new_admin {
            return Err("role.separation_admin_business");
        }
    }
    Ok(())
}

/// The authenticated person behind a request, with resolved assignments.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub staff_id: Option<i64>,
    pub locale: String,
    pub assignments: Vec<Assignment>,
}

impl Actor {
    /// The data scope for `perm`, or `Forbidden` when no role grants it.
    pub fn scope(&self, perm: Permission) -> Result<Scope, Forbidden> {
        effective_scope(&self.assignments, perm, self.user_id, self.staff_id)
    }

    pub fn can(&self, perm: Permission) -> bool {
        self.assignments.iter().any(|a| a.role.grants(perm))
    }

    pub fn roles(&self) -> Vec<Role> {
        self.assignments.iter().map(|a| a.role).collect()
    }

    /// Role codes joined with commas, as written into audit events.
    pub fn role_codes(&self) -> String {
        self.assignments
            .iter()
            .map(|a| a.role.code())
            .collect::<Vec<_>>()
            .join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_triad_is_disjoint() {
        let s: BTreeSet<_> = Role::SystemAdmin.permissions().iter().collect();
        let sec: BTreeSet<_> = Role::SecurityAdmin.permissions().iter().collect();
        let aud: BTreeSet<_> = Role::AuditAdmin.permissions().iter().collect();
        assert!(!s.contains(&Permission::RoleAssign) && !s.contains(&Permission::AuditRead));
        assert!(!sec.contains(&Permission::UserWrite) && !sec.contains(&Permission::AuditRead));
        assert_eq!(aud.len(), 1);
    }

    #[test]
    fn union_of_scopes() {
        let a = vec![
            Assignment {
                role: Role::LabourInspector,
                scope_kind: ScopeKind::Unit,
                anchor_unit_id: 5,
                unit_ids: vec![5],
            },
            Assignment {
                role: Role::BusinessOfficer,
                scope_kind: ScopeKind::UnitTree,
                anchor_unit_id: 2,
                unit_ids: vec![2, 3],
            },
        ];
        let s = effective_scope(&a, Permission::StaffRead, 1, Some(9)).unwrap();
        assert!(s.allows_unit(5) && s.allows_unit(3) && !s.allows_unit(4));
        assert_eq!(
            effective_scope(&a, Permission::AuditRead, 1, None),
            Err(Forbidden(Permission::AuditRead))
        );
    }

    #[test]
    fn separation_rules() {
        assert!(check_separation(&[Role::SystemAdmin], Role::AuditAdmin).is_err());
        assert!(check_separation(&[Role::LegalOfficer], Role::SecurityAdmin).is_err());
        assert!(check_separation(&[Role::LegalOfficer], Role::BureauHead).is_ok());
        assert!(check_separation(&[], Role::AuditAdmin).is_ok());
    }

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
    }
}
