//! Who supervises what (行政监督部门及其权力和责任清单): a versioned reference kind like the catalog.
//! Each department names the catalog categories it supervises in its region (and the regions
//! below it), the entity whose accounts act for it, and its list of powers with their legal basis.
//! A case is routed to the competent department: the one of the case's category whose region is
//! the procedure's own or the nearest above it.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{Catalog, DomainError, RegionCode, Uscc};

/// What a department is to the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentRole {
    /// 行政监督部门: receives complaints and reports and decides them.
    Supervision,
    /// 纪检监察 or 审计: follows procedures and cases, decides nothing on the platform.
    Oversight,
}

/// One entry of a department's 权力和责任清单.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Power {
    /// e.g. 受理和处理招标投标活动中的投诉.
    pub name: String,
    /// The legal basis, e.g. 招标投标法实施条例 第60条至第62条.
    pub basis: String,
    /// The duty that comes with it (责任事项), e.g. 依法受理、调查、作出处理决定并告知投诉人.
    #[serde(default)]
    pub duty: String,
}

/// A supervising (or oversight) department.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    /// Stable code, e.g. `zj-drc`.
    pub code: String,
    pub name: String,
    /// The 统一社会信用代码 of the entity whose accounts act for the department.
    pub uscc: String,
    /// The region it is competent for, with every region below it.
    pub region: String,
    pub role: DepartmentRole,
    /// Catalog categories it supervises (empty for an oversight department: all of them).
    #[serde(default)]
    pub categories: Vec<String>,
    /// The accounts of the department's head(s) (负责人): overdue cases are flagged to them.
    #[serde(default)]
    pub heads: Vec<String>,
    pub powers: Vec<Power>,
}

impl Department {
    /// Whether `region` is the department's own or lies below it (GB/T 2260: a province ends in
    /// `0000`, a city in `00`).
    pub fn covers_region(&self, region: &str) -> bool {
        region_within(region, &self.region)
    }

    /// How specific its region is: 0 province, 1 city, 2 county.
    fn level(&self) -> u8 {
        if self.region.ends_with("0000") {
            0
        } else if self.region.ends_with("00") {
            1
        } else {
            2
        }
    }
}

/// Whether region `inner` is `outer` or lies within it.
pub fn region_within(inner: &str, outer: &str) -> bool {
    if outer.len() != 6 || inner.len() != 6 {
        return false;
    }
    let prefix = if outer.ends_with("0000") {
        &outer[..2]
    } else if outer.ends_with("00") {
        &outer[..4]
    } else {
        outer
    };
    inner.starts_with(prefix)
}

/// The published list of departments and their powers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Supervision {
    pub title: String,
    pub departments: Vec<Department>,
}

fn invalid(department: &str, reason: impl Into<String>) -> DomainError {
    DomainError::SupervisionInvalid {
        department: department.to_string(),
        reason: reason.into(),
    }
}

impl Supervision {
    /// Checks the list against itself and the catalog: unique codes, a valid 统一社会信用代码 and
    /// region, known categories, powers with their basis, and for every catalog category at least
    /// one supervising department at the top of the province.
    pub fn validate(&self, catalog: &Catalog) -> Result<(), DomainError> {
        let mut codes = BTreeSet::new();
        for department in &self.departments {
            let code = department.code.as_str();
            let code_ok = !code.is_empty()
                && code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !code_ok {
                return Err(invalid(code, "部门代码只能由小写字母、数字和连字符组成"));
            }
            if !codes.insert(code) {
                return Err(invalid(code, "部门代码重复"));
            }
            if department.name.trim().is_empty() {
                return Err(invalid(code, "缺少部门名称"));
            }
            Uscc::parse(&department.uscc)
                .map_err(|e| invalid(code, format!("统一社会信用代码：{e}")))?;
            RegionCode::parse(&department.region)
                .map_err(|e| invalid(code, format!("行政区划：{e}")))?;
            for category in &department.categories {
                catalog
                    .category(category)
                    .map_err(|_| invalid(code, format!("交易目录中没有类别 {category}")))?;
            }
            if department.role == DepartmentRole::Supervision && department.categories.is_empty() {
                return Err(invalid(code, "行政监督部门至少应监督一个交易类别"));
            }
            for head in &department.heads {
                crate::Username::parse(head)
                    .map_err(|_| invalid(code, format!("负责人账号 {head} 不是有效的用户名")))?;
            }
            if department.powers.is_empty() {
                return Err(invalid(code, "权力和责任清单不能为空"));
            }
            for power in &department.powers {
                if power.name.trim().is_empty() || power.basis.trim().is_empty() {
                    return Err(invalid(code, "每项权力都应写明名称和法律依据"));
                }
            }
        }
        for category in &catalog.categories {
            let covered = self.departments.iter().any(|d| {
                d.role == DepartmentRole::Supervision
                    && d.level() == 0
                    && d.categories.contains(&category.code)
            });
            if !covered {
                return Err(invalid(
                    "",
                    format!("交易类别“{}”没有省级行政监督部门", category.name),
                ));
            }
        }
        Ok(())
    }

    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code == code)
    }

    /// The departments an entity (by its 统一社会信用代码) acts for.
    pub fn departments_of(&self, uscc: &str) -> Vec<&Department> {
        self.departments.iter().filter(|d| d.uscc == uscc).collect()
    }

    /// The competent supervising departments for `category` in `region`: those of the nearest
    /// level that covers it (a county's own department before the city's, the city's before the
    /// province's).
    pub fn competent(&self, category: &str, region: &str) -> Vec<&Department> {
        let candidates: Vec<&Department> = self
            .departments
            .iter()
            .filter(|d| {
                d.role == DepartmentRole::Supervision
                    && d.categories.iter().any(|c| c == category)
                    && d.covers_region(region)
            })
            .collect();
        let Some(nearest) = candidates.iter().map(|d| d.level()).max() else {
            return Vec::new();
        };
        candidates
            .into_iter()
            .filter(|d| d.level() == nearest)
            .collect()
    }

    /// Whether the department `code` may see a case or procedure of `category` in `region`:
    /// a supervising department for its categories, an oversight department for every category,
    /// each within its region.
    pub fn has_jurisdiction(&self, code: &str, category: &str, region: &str) -> bool {
        self.department(code).is_some_and(|d| {
            d.covers_region(region)
                && (d.role == DepartmentRole::Oversight
                    || d.categories.iter().any(|c| c == category))
        })
    }
}
