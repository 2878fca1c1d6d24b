package io.mlqueue.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
  @Test
  void builtInIsTheDiabetesData() {
    Dataset d = Dataset.builtIn();
    assertThat(d.size()).isEqualTo(442);
    assertThat(d.featureNames())
        .containsExactly("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6");
    assertThat(d.targetName()).isEqualTo("target");
    assertThat(d.target(0)).isEqualTo(151.0);
    assertThat(d.features(0)[0]).isEqualTo(0.038075906433423026);
  }

  @Test
  void targetMayBeAnyColumn(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("t.csv");
    Files.writeString(csv, "y,a,b\n1,2,3\n4,5,6\n\n");
    Dataset d = Dataset.load(csv, "y");
    assertThat(d.featureNames()).containsExactly("a", "b");
    assertThat(d.features(1)).containsExactly(5.0, 6.0);
    assertThat(d.target(1)).isEqualTo(4.0);
  }

  @Test
  void errorsNameFileLineAndColumn(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, "a,b,y\n1,2,3\n1,x,3\n");
    assertThatThrownBy(() -> Dataset.load(csv, "y"))
        .hasMessageContaining("bad.csv:3: column 'b' is not a finite number: 'x'");
    assertThatThrownBy(() -> Dataset.load(csv, "target"))
        .hasMessageContaining("no column 'target'");
    Files.writeString(csv, "a,b,y\n1,2\n");
    assertThatThrownBy(() -> Dataset.load(csv, "y"))
        .hasMessageContaining("2 cells, the header has 3");
  }
}
