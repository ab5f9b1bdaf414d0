//! Markdown written by mission staff, rendered so that it can carry no script: raw HTML in
//! the source is shown as text, and links and images may only point to `https:`, `http:`,
//! `mailto:` or `tel:` addresses (anything else, `javascript:` included, becomes plain text).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

fn safe_destination(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["https://", "http://", "mailto:", "tel:"].iter().any(|scheme| lower.starts_with(scheme))
}

/// The HTML of `source`, safe to insert into a page.
pub fn to_safe_html(source: &str) -> String {
    let mut unsafe_depth = 0usize;
    let events = Parser::new_ext(source, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).filter_map(|event| {
        match event {
            // Raw HTML is shown, not run.
            Event::Html(text) | Event::InlineHtml(text) => Some(Event::Text(text)),
            Event::Start(Tag::Link { ref dest_url, .. }) | Event::Start(Tag::Image { ref dest_url, .. })
                if !safe_destination(dest_url) =>
            {
                unsafe_depth += 1;
                None
            }
            Event::End(TagEnd::Link | TagEnd::Image) if unsafe_depth > 0 => {
                unsafe_depth -= 1;
                None
            }
            // Images would load from elsewhere: shown as their link instead.
            Event::Start(Tag::Image { dest_url, title, id, .. }) => {
                Some(Event::Start(Tag::Link { link_type: pulldown_cmark::LinkType::Inline, dest_url, title, id }))
            }
            Event::End(TagEnd::Image) => Some(Event::End(TagEnd::Link)),
            other => Some(other),
        }
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::to_safe_html;

    #[test]
    fn script_tags_are_text_and_bad_links_are_dropped() {
        let html = to_safe_html("Hello <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.org)");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("<a href=\"https://example.org\">ok</a>"), "{html}");
    }

    #[test]
    fn markdown_still_renders() {
        let html = to_safe_html("# 通知\n\n**办公时间调整**\n\n- 周一\n- 周二");
        assert!(
            html.contains("<h1>通知</h1>") && html.contains("<strong>") && html.contains("<li>周一</li>"),
            "{html}"
        );
    }

    #[test]
    fn images_become_links_and_html_attributes_cannot_sneak_in() {
        let html = to_safe_html("![pic](https://example.org/a.png) <img src=x onerror=alert(1)>");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("href=\"https://example.org/a.png\""));
    }
}
