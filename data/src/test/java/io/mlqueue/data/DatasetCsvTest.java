package io.mlqueue.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data files are read as RFC 4180 says, as R's {@code write.csv}, Excel and Python's {@code csv}
 * module write them: quoted fields, quoted commas and quotes, CRLF line ends, a UTF-8 byte order
 * mark.
 */
class DatasetCsvTest {
  @TempDir Path dir;

  private Dataset load(String text, String target) throws Exception {
    Path csv = dir.resolve("d.csv");
    Files.write(csv, text.getBytes(StandardCharsets.UTF_8));
    return Dataset.load(csv, target);
  }

  @Test
  void aQuotedHeaderAsRsWriteCsvWritesIt() throws Exception {
    // write.csv(df, row.names = FALSE): every name quoted, numbers not.
    Dataset d = load("\"age\",\"sex\",\"target\"\n0.5,1,151\n-0.25,2,75\n", "target");
    assertThat(d.featureNames()).containsExactly("age", "sex");
    assertThat(d.targetName()).isEqualTo("target");
    assertThat(d.features(1)).containsExactly(-0.25, 2.0);
    assertThat(d.target(0)).isEqualTo(151.0);
  }

  @Test
  void quotedNumbersCommasAndQuotesInNames() throws Exception {
    // Python's csv.QUOTE_ALL, and names with a comma and a quote in them.
    Dataset d = load("\"dose, mg\",\"the \"\"y\"\"\"\n\"1.5\",\"3\"\n", "the \"y\"");
    assertThat(d.featureNames()).containsExactly("dose, mg");
    assertThat(d.features(0)).containsExactly(1.5);
    assertThat(d.target(0)).isEqualTo(3.0);
  }

  @Test
  void crlfLineEndsAndAByteOrderMarkAsExcelWritesThem() throws Exception {
    Dataset d = load("\uFEFF\"a\",\"y\"\r\n1,2\r\n3,4\r\n", "y");
    assertThat(d.featureNames()).containsExactly("a");
    assertThat(d.size()).isEqualTo(2);
    assertThat(d.target(1)).isEqualTo(4.0);
  }

  @Test
  void aQuotedFieldMayHoldALineBreakAndErrorsNameTheLineItStartsOn() throws Exception {
    assertThatThrownBy(() -> load("a,y\n1,2\n\"3\n4\",5\n6,x\n", "y"))
        .hasMessageEndingWith("d.csv:3: column 'a' is not a finite number: '3\n4'");
    assertThatThrownBy(() -> load("a,y\n1,2\n\n3,\"x\"\n", "y"))
        .hasMessageEndingWith("d.csv:4: column 'y' is not a finite number: 'x'");
  }

  @Test
  void brokenQuotingIsAnErrorNamingTheLine() throws Exception {
    assertThatThrownBy(() -> load("a,y\n1,2\n\"3,4\n5,6\n", "y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("d.csv:3: not valid CSV")
        .hasMessageContaining("closing quote");
    assertThatThrownBy(() -> load("a,y\n\"1\"2,3\n", "y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("d.csv:2: not valid CSV");
  }

  @Test
  void spacesAroundUnquotedCellsAreIgnoredAndEmptyCellsAreErrors() throws Exception {
    Dataset d = load(" a , y \n 1 , 2 \n", "y");
    assertThat(d.featureNames()).containsExactly("a");
    assertThat(d.features(0)).containsExactly(1.0);
    assertThatThrownBy(() -> load("a,y\n1,\n", "y"))
        .hasMessageEndingWith("d.csv:2: column 'y' is not a finite number: ''");
  }

  @Test
  void aHeaderOnlyOrEmptyFileIsRefusedInWords() {
    assertThatThrownBy(() -> load("", "y"))
        .hasMessageEndingWith("d.csv: empty file, expected a header row");
    assertThatThrownBy(() -> load("\n\n", "y"))
        .hasMessageEndingWith("d.csv: empty file, expected a header row");
    assertThatThrownBy(() -> load("a,y\n", "y")).hasMessageContaining("has no rows");
    assertThatThrownBy(() -> load("a,a,y\n1,2,3\n", "y"))
        .hasMessageEndingWith("d.csv: column 'a' appears twice in the header");
  }
}
