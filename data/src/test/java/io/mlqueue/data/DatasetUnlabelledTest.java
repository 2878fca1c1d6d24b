package io.mlqueue.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows without labels (as production sees them), for drift checks. */
class DatasetUnlabelledTest {
  @TempDir Path dir;

  @Test
  void everyColumnIsAFeatureAndTheTargetsAreUnknown() throws Exception {
    Path f = Files.writeString(dir.resolve("u.csv"), "a,b\n1,2\n3,4\n");
    Dataset d = Dataset.loadUnlabelled(f, "y");
    assertThat(d.featureNames()).containsExactly("a", "b");
    assertThat(d.features(1)).containsExactly(3, 4);
    assertThat(d.target(0)).isNaN();
  }

  @Test
  void aTargetColumnWhenPresentIsReadAsUsual() throws Exception {
    Path f = Files.writeString(dir.resolve("l.csv"), "a,y\n1,2\n");
    Dataset d = Dataset.loadUnlabelled(f, "y");
    assertThat(d.featureNames()).containsExactly("a");
    assertThat(d.target(0)).isEqualTo(2);
  }

  @Test
  void aColumnTwiceIsRefused() throws Exception {
    Path f = Files.writeString(dir.resolve("d.csv"), "a,a\n1,2\n");
    assertThatThrownBy(() -> Dataset.loadUnlabelled(f, "y")).hasMessageContaining("twice");
  }
}
