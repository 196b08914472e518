package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvSubstitutionTest {
    private static final Map<String, String> ENV = Map.of("A", "alpha", "ODD", "x, y: {z}");

    private static String substituted(String text) {
        EnvSubstitution.Result result = EnvSubstitution.apply(text, ENV);
        assertThat(result.issues()).isEmpty();
        return result.text();
    }

    @Test
    void substitutesPlainQuotedAndDefaultedReferences() {
        assertThat(substituted("k: ${A}\nq: \"${A}\"\ns: '${A}'\nd: ${B:-beta}\n"))
                .isEqualTo("k: alpha\nq: \"alpha\"\ns: 'alpha'\nd: beta\n");
    }

    @Test
    void leavesCommentsAndEscapedReferencesAlone() {
        assertThat(substituted("# ${UNSET}\nk: v # ${UNSET}\nh: a#${A}\nl: $${A}\n"))
                .isEqualTo("# ${UNSET}\nk: v # ${UNSET}\nh: a#alpha\nl: ${A}\n");
    }

    @Test
    void treatsAHashInsideQuotesAsText() {
        assertThat(substituted("k: \"a #${A}\"\nj: 'it''s #${A}'\n")).isEqualTo("k: \"a #alpha\"\nj: 'it''s #alpha'\n");
    }

    @Test
    void quotesAPlainValueThatYamlWouldMisread() {
        assertThat(substituted("k: [${ODD}]\n")).isEqualTo("k: [\"x, y: {z}\"]\n");
    }

    @Test
    void reportsAValueThatCannotBeQuotedSafelyAndAnUnsetVariable() {
        EnvSubstitution.Result result = EnvSubstitution.apply("k: pre ${ODD}\nm: ${UNSET}\n", ENV);

        assertThat(result.issues())
                .extracting(EnvSubstitution.Issue::at)
                .containsExactly(new Position(1, 8), new Position(2, 4));
        assertThat(result.issues().get(0).message()).contains("double quotes").doesNotContain("x, y");
    }

    @Test
    void mapsColumnsAfterAReplacementBackToTheOriginal() {
        EnvSubstitution.Result result = EnvSubstitution.apply("{a: ${A}, b: 1}\n", ENV);

        assertThat(result.text()).isEqualTo("{a: alpha, b: 1}\n");
        assertThat(result.originalColumn(1, 12)).isEqualTo(11); // 'b' moved right by the longer value
        assertThat(result.originalColumn(1, 7)).isEqualTo(5); // inside the value: where ${A} started
        assertThat(result.originalColumn(1, 2)).isEqualTo(2);
    }
}
