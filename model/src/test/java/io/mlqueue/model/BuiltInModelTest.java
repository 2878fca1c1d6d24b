package io.mlqueue.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mlqueue.data.Dataset;
import org.junit.jupiter.api.Test;

class BuiltInModelTest {
  @Test
  void isTheCourseModelFittedOnce() {
    LinearModel m = BuiltInModel.get();
    assertThat(BuiltInModel.get()).isSameAs(m);
    assertThat(m.id()).isEqualTo("diabetes-ols:builtin");
    assertThat(m.targetName()).isEqualTo("target");
    assertThat(m.intercept()).isCloseTo(152.1335, within(1e-4));

    TrainingProvenance p = m.provenance().orElseThrow();
    assertThat(p.data()).isEqualTo(Dataset.BUILT_IN_NAME);
    assertThat(p.rows()).isEqualTo(442);
    assertThat(p.dataSha256()).isNull();
    // The course's "about 43.3": the in-sample MAE of the pickled model.
    assertThat(p.inSample().mae()).isCloseTo(Reference.metric("mae"), within(1e-9));
    assertThat(p.inSample().mae()).isCloseTo(43.3, within(0.05));
  }

  @Test
  void fitsTheBuiltInData() {
    Dataset d = Dataset.builtIn();
    assertThat(ModelCompatibility.mismatch(BuiltInModel.get(), d)).isEmpty();
    assertThat(BuiltInModel.get().predict(d.features(0)))
        .isCloseTo(Reference.prediction(0), within(1e-9));
  }
}
