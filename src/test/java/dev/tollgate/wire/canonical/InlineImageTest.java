package dev.tollgate.wire.canonical;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InlineImageTest {

    @Test
    void aBase64DataUrlIsTakenApartIntoMediaTypeAndData() {
        ContentPart.Image inline =
                ContentPart.Image.ofUrl("data:image/png;base64,iVBORw0KGgo=").asInline();

        assertThat(inline).isEqualTo(ContentPart.Image.inline("image/png", "iVBORw0KGgo="));
    }

    @Test
    void inlineDataStaysAsItIs() {
        ContentPart.Image image = ContentPart.Image.inline("image/jpeg", "/9j/4AAQ");

        assertThat(image.asInline()).isSameAs(image);
    }

    @Test
    void aUrlThatWouldHaveToBeFetchedOrIsNotBase64HasNoInlineForm() {
        assertThat(ContentPart.Image.ofUrl("https://example.com/cat.png").asInline())
                .isNull();
        assertThat(ContentPart.Image.ofUrl("data:image/svg+xml,<svg/>").asInline())
                .isNull();
        assertThat(ContentPart.Image.ofUrl("data:image/png;base64").asInline()).isNull();
    }
}
