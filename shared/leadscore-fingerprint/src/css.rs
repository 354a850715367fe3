//! CSS selectors for the `dom` rules, matched with one set of caches for a
//! whole document.
//!
//! scraper's `Selector::matches` builds fresh matching caches on every call
//! (a few hundred bytes set up and dropped per element tested), and its
//! method taking caches is private; the dom pass tests many selectors on
//! many elements of one document. This is the same selector list, parsed by
//! scraper's own parser implementation and matched by the same `selectors`
//! function, with caches that live for the pass.

use scraper::ElementRef;
use scraper::error::SelectorErrorKind;
use scraper::selector::{Parser, Simple};
use selectors::matching::{
    self, MatchingContext, MatchingForInvalidation, MatchingMode, NeedsSelectorFlags, QuirksMode,
    SelectorCaches,
};
use selectors::parser::{ParseRelative, SelectorList};

/// A parsed selector list (a `,`-separated group).
#[derive(Debug, Clone)]
pub(crate) struct CssSelector {
    list: SelectorList<Simple>,
}

impl CssSelector {
    /// Parses as `scraper::Selector::parse` does, with its errors.
    pub(crate) fn parse(source: &str) -> Result<Self, SelectorErrorKind> {
        let mut parser = cssparser::Parser::new(source);
        SelectorList::parse(&Parser, &mut parser, ParseRelative::No)
            .map(|list| Self { list })
            .map_err(SelectorErrorKind::from)
    }

    /// Whether `element` matches, as `scraper::Selector::matches` says
    /// (no scope element, no quirks mode), with `caches` kept by the caller
    /// across the elements of one document.
    pub(crate) fn matches(&self, element: &ElementRef<'_>, caches: &mut SelectorCaches) -> bool {
        let mut context = MatchingContext::new(
            MatchingMode::Normal,
            None,
            caches,
            QuirksMode::NoQuirks,
            NeedsSelectorFlags::No,
            MatchingForInvalidation::No,
        );
        self.list
            .slice()
            .iter()
            .any(|s| matching::matches_selector(s, 0, None, element, &mut context))
    }
}
