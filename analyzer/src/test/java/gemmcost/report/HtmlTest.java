package gemmcost.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HtmlTest {
    @Test
    void escapesTextAndAttributes() {
        Html html = new Html().open("p", "title", "a\"b<c>").text("<script>alert('x') & co</script>").close("p");
        assertThat(html.toString()).isEqualTo(
                "<p title=\"a&quot;b&lt;c&gt;\">&lt;script&gt;alert(&#39;x&#39;) &amp; co&lt;/script&gt;</p>");
    }

    @Test
    void axisTicksAreRound() {
        Axis axis = Axis.upTo(6168.8, 10);
        assertThat(axis.step()).isEqualTo(1000);
        assertThat(axis.max()).isEqualTo(7000);
        assertThat(axis.label(2000)).isEqualTo("2 ms");
        assertThat(Axis.upTo(45, 4).label(20)).isEqualTo("20 µs");
    }
}
