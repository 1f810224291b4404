//! The few fields of a compiled release that the indicators read, borrowed from the line.
//!
//! A field is `None` when cardinal's `Value` lookups would not find it with the type the
//! indicators ask for (`release.get("tender")` not an object, `status` not a string, …), so the
//! indicators below can follow cardinal's code test for test. An array keeps its elements of the
//! wrong type as empty entries, because cardinal counts them (`suppliers.len() == 1`). When a key
//! appears twice in an object, the last one wins, as it does in `serde_json`'s map.

use std::borrow::Cow;

use crate::json::{Parsed, Parser};

type Text<'a> = Cow<'a, str>;

#[derive(Debug, Default)]
pub(crate) struct Release<'a> {
    /// `/ocid`, if a string.
    pub(crate) ocid: Option<Text<'a>>,
    /// `/tender`, if an object.
    pub(crate) tender: Option<Tender<'a>>,
    /// `/buyer/id`, if `/buyer` is an object and its `id` a string.
    pub(crate) buyer_id: Option<Text<'a>>,
    /// `/awards`, if an array.
    pub(crate) awards: Option<Vec<Award<'a>>>,
    /// `/bids/details`, if `/bids` is an object and `details` an array.
    pub(crate) bids: Option<Vec<Bid<'a>>>,
}

#[derive(Debug, Default)]
pub(crate) struct Tender<'a> {
    pub(crate) status: Option<Text<'a>>,
    pub(crate) procurement_method: Option<Text<'a>>,
    pub(crate) procurement_method_details: Option<Text<'a>>,
    /// `tenderPeriod`, if an object.
    pub(crate) tender_period: Option<Period<'a>>,
    /// `numberOfTenderers` is the number 1 (cardinal: `Number::as_u64() == Some(1)`, which with
    /// `arbitrary_precision` holds for the text `1` only).
    pub(crate) one_tenderer: bool,
    /// `procuringEntity/id`.
    pub(crate) procuring_entity_id: Option<Text<'a>>,
}

#[derive(Debug, Default)]
pub(crate) struct Period<'a> {
    pub(crate) start_date: Option<Text<'a>>,
    pub(crate) end_date: Option<Text<'a>>,
}

#[derive(Debug, Default)]
pub(crate) struct Award<'a> {
    pub(crate) status: Option<Text<'a>>,
    /// `suppliers[]/id`, if `suppliers` is an array; one entry per element.
    pub(crate) suppliers: Option<Vec<Option<Text<'a>>>>,
    /// `items[]/classification/id` that are strings, if `items` is an array (read only for R048).
    pub(crate) classification_ids: Option<Vec<Text<'a>>>,
}

#[derive(Debug, Default)]
pub(crate) struct Bid<'a> {
    pub(crate) status: Option<Text<'a>>,
    pub(crate) date: Option<Text<'a>>,
    /// `value`, if an object.
    pub(crate) value: Option<Amount<'a>>,
    /// `tenderers[]/id`, if `tenderers` is an array; one entry per element.
    pub(crate) tenderers: Option<Vec<Option<Text<'a>>>>,
}

#[derive(Debug, Default)]
pub(crate) struct Amount<'a> {
    /// `amount`, if a number that is finite as an `f64` (cardinal: `Number::as_f64()`).
    pub(crate) amount: Option<f64>,
    pub(crate) currency: Option<Text<'a>>,
}

/// What to read beyond the fields every indicator set needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wanted {
    pub(crate) classifications: bool,
}

/// Parses one line. `Ok(None)`: valid JSON that is not an object. `Err`: not valid JSON.
pub(crate) fn parse_release<'a>(line: &'a str, wanted: Wanted) -> Parsed<Option<Release<'a>>> {
    let mut parser = Parser::new(line);
    let mut release = Release::default();
    let is_object = parser.object(|parser, key| {
        match &*key {
            "ocid" => release.ocid = parser.string()?,
            "tender" => release.tender = tender(parser)?,
            "buyer" => release.buyer_id = id_of_object(parser)?,
            "awards" => release.awards = awards(parser, wanted)?,
            "bids" => release.bids = bids(parser)?,
            _ => parser.skip()?,
        }
        Ok(())
    })?;
    parser.finish()?;
    Ok(is_object.then_some(release))
}

/// The `id` of an object, if it is a string.
fn id_of_object<'a>(parser: &mut Parser<'a>) -> Parsed<Option<Text<'a>>> {
    let mut id = None;
    parser.object(|parser, key| {
        if key == "id" {
            id = parser.string()?;
        } else {
            parser.skip()?;
        }
        Ok(())
    })?;
    Ok(id)
}

/// `[{"id": …}, …]`: one entry per element.
fn ids<'a>(parser: &mut Parser<'a>) -> Parsed<Option<Vec<Option<Text<'a>>>>> {
    let mut ids = Vec::new();
    let is_array = parser.array(|parser| {
        ids.push(id_of_object(parser)?);
        Ok(())
    })?;
    Ok(is_array.then_some(ids))
}

fn tender<'a>(parser: &mut Parser<'a>) -> Parsed<Option<Tender<'a>>> {
    let mut tender = Tender::default();
    let is_object = parser.object(|parser, key| {
        match &*key {
            "status" => tender.status = parser.string()?,
            "procurementMethod" => tender.procurement_method = parser.string()?,
            "procurementMethodDetails" => tender.procurement_method_details = parser.string()?,
            "tenderPeriod" => tender.tender_period = period(parser)?,
            "numberOfTenderers" => tender.one_tenderer = parser.number()? == Some("1"),
            "procuringEntity" => tender.procuring_entity_id = id_of_object(parser)?,
            _ => parser.skip()?,
        }
        Ok(())
    })?;
    Ok(is_object.then_some(tender))
}

fn period<'a>(parser: &mut Parser<'a>) -> Parsed<Option<Period<'a>>> {
    let mut period = Period::default();
    let is_object = parser.object(|parser, key| {
        match &*key {
            "startDate" => period.start_date = parser.string()?,
            "endDate" => period.end_date = parser.string()?,
            _ => parser.skip()?,
        }
        Ok(())
    })?;
    Ok(is_object.then_some(period))
}

fn awards<'a>(parser: &mut Parser<'a>, wanted: Wanted) -> Parsed<Option<Vec<Award<'a>>>> {
    let mut awards = Vec::new();
    let is_array = parser.array(|parser| {
        let mut award = Award::default();
        parser.object(|parser, key| {
            match &*key {
                "status" => award.status = parser.string()?,
                "suppliers" => award.suppliers = ids(parser)?,
                "items" if wanted.classifications => award.classification_ids = items(parser)?,
                _ => parser.skip()?,
            }
            Ok(())
        })?;
        awards.push(award);
        Ok(())
    })?;
    Ok(is_array.then_some(awards))
}

/// `items[]/classification/id`, the strings only.
fn items<'a>(parser: &mut Parser<'a>) -> Parsed<Option<Vec<Text<'a>>>> {
    let mut classification_ids = Vec::new();
    let is_array = parser.array(|parser| {
        let mut id = None;
        parser.object(|parser, key| {
            if key == "classification" {
                id = id_of_object(parser)?;
            } else {
                parser.skip()?;
            }
            Ok(())
        })?;
        classification_ids.extend(id);
        Ok(())
    })?;
    Ok(is_array.then_some(classification_ids))
}

fn bids<'a>(parser: &mut Parser<'a>) -> Parsed<Option<Vec<Bid<'a>>>> {
    let mut details = None;
    parser.object(|parser, key| {
        if key == "details" {
            details = bid_details(parser)?;
        } else {
            parser.skip()?;
        }
        Ok(())
    })?;
    Ok(details)
}

fn bid_details<'a>(parser: &mut Parser<'a>) -> Parsed<Option<Vec<Bid<'a>>>> {
    let mut bids = Vec::new();
    let is_array = parser.array(|parser| {
        let mut bid = Bid::default();
        parser.object(|parser, key| {
            match &*key {
                "status" => bid.status = parser.string()?,
                "date" => bid.date = parser.string()?,
                "value" => bid.value = amount(parser)?,
                "tenderers" => bid.tenderers = ids(parser)?,
                _ => parser.skip()?,
            }
            Ok(())
        })?;
        bids.push(bid);
        Ok(())
    })?;
    Ok(is_array.then_some(bids))
}

fn amount<'a>(parser: &mut Parser<'a>) -> Parsed<Option<Amount<'a>>> {
    let mut value = Amount::default();
    let is_object = parser.object(|parser, key| {
        match &*key {
            "amount" => {
                value.amount = parser
                    .number()?
                    .and_then(|text| text.parse::<f64>().ok())
                    .filter(|amount| amount.is_finite());
            }
            "currency" => value.currency = parser.string()?,
            _ => parser.skip()?,
        }
        Ok(())
    })?;
    Ok(is_object.then_some(value))
}
