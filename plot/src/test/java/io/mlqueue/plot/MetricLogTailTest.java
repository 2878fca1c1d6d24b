package io.mlqueue.plot;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.contract.MetricLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricLogTailTest {

  @TempDir Path dir;

  private Path csv() {
    return dir.resolve(MetricLog.FILE_NAME);
  }

  private static String row(int id, double yTrue, double yPred) {
    return MetricLog.format(MetricLog.Row.of(Integer.toString(id), yTrue, yPred)) + "\n";
  }

  private void append(String text) throws IOException {
    Files.writeString(
        csv(), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  @Test
  void missingFileIsAnEmptyLog() throws IOException {
    MetricLogTail tail = new MetricLogTail(csv());

    MetricLogTail.Update update = tail.poll();

    assertThat(update.fileExists()).isFalse();
    assertThat(tail.size()).isZero();
  }

  @Test
  void skipsTheHeaderAndReadsRows() throws IOException {
    append(MetricLog.HEADER + "\n" + row(1, 10, 7) + row(2, 5, 9));
    MetricLogTail tail = new MetricLogTail(csv());

    MetricLogTail.Update update = tail.poll();

    assertThat(update.rowsAdded()).isEqualTo(2);
    assertThat(update.badLines()).isZero();
    assertThat(tail.errors()).containsExactly(3, 4);
  }

  @Test
  void readsALogWhoseHeaderAndFieldsAreQuotedWithCrlfLineEnds() throws IOException {
    // As Python's csv.writer writes with QUOTE_ALL and its default line end.
    append(
        "\uFEFF\"id\",\"y_true\",\"y_pred\",\"absolute_error\"\r\n"
            + "\"a,1\",\"10.0\",\"7.0\",\"3.0\"\r\n"
            + "\"b\",\"5.0\",\"9.0\",\"4.0\"\r\n");
    MetricLogTail tail = new MetricLogTail(csv());

    MetricLogTail.Update update = tail.poll();

    assertThat(update.badLines()).isZero();
    assertThat(tail.errors()).containsExactly(3, 4);
  }

  @Test
  void readsOnlyTheRowsAppendedSinceTheLastPoll() throws IOException {
    append(MetricLog.HEADER + "\n" + row(1, 10, 7));
    MetricLogTail tail = new MetricLogTail(csv());
    tail.poll();
    long offset = tail.offset();

    append(row(2, 1, 2) + row(3, 0, 5));
    MetricLogTail.Update update = tail.poll();

    assertThat(update.rowsAdded()).isEqualTo(2);
    assertThat(update.restarted()).isFalse();
    assertThat(tail.errors()).containsExactly(3, 1, 5);
    assertThat(tail.offset()).isGreaterThan(offset).isEqualTo(Files.size(csv()));
    assertThat(tail.poll().rowsAdded()).isZero();
  }

  @Test
  void leavesATornLastLineForTheNextPoll() throws IOException {
    String next = row(2, 20, 12);
    append(MetricLog.HEADER + "\n" + row(1, 10, 7) + next.substring(0, 5));
    MetricLogTail tail = new MetricLogTail(csv());

    MetricLogTail.Update first = tail.poll();

    assertThat(first.rowsAdded()).isEqualTo(1);
    assertThat(first.badLines()).isZero();
    assertThat(tail.offset()).isLessThan(Files.size(csv()));

    append(next.substring(5));
    MetricLogTail.Update second = tail.poll();

    assertThat(second.rowsAdded()).isEqualTo(1);
    assertThat(tail.errors()).containsExactly(3, 8);
    assertThat(tail.badLines()).isZero();
  }

  @Test
  void truncationRereadsFromTheStart() throws IOException {
    append(MetricLog.HEADER + "\n" + row(1, 10, 7) + row(2, 10, 6) + row(3, 10, 5));
    MetricLogTail tail = new MetricLogTail(csv());
    tail.poll();

    Files.writeString(csv(), MetricLog.HEADER + "\n" + row(9, 1, 1.5)); // truncates in place
    MetricLogTail.Update update = tail.poll();

    assertThat(update.restarted()).isTrue();
    assertThat(tail.errors()).containsExactly(0.5);
  }

  @Test
  void replacementByAnotherFileRereadsFromTheStart() throws IOException {
    append(MetricLog.HEADER + "\n" + row(1, 10, 7));
    MetricLogTail tail = new MetricLogTail(csv());
    tail.poll();

    // A longer file renamed over the old one: the size grew, only the file key tells.
    Path fresh = dir.resolve("fresh.csv");
    Files.writeString(fresh, MetricLog.HEADER + "\n" + row(5, 2, 4) + row(6, 2, 8) + row(7, 2, 16));
    Files.move(fresh, csv(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    MetricLogTail.Update update = tail.poll();

    assertThat(update.restarted()).isTrue();
    assertThat(tail.errors()).containsExactly(2, 6, 14);
  }

  @Test
  void rewriteInPlaceThatGrewPastTheOffsetIsNoticed() throws IOException {
    append(MetricLog.HEADER + "\n" + row(1, 10, 7));
    MetricLogTail tail = new MetricLogTail(csv());
    tail.poll();

    // Same file, truncated and refilled beyond the old offset between two polls; no line break now
    // sits just before the old offset, since the first row is longer.
    Files.writeString(csv(), MetricLog.HEADER + "\n" + row(123456, 10.25, 7.5) + row(2, 1, 2));
    MetricLogTail.Update update = tail.poll();

    assertThat(update.restarted()).isTrue();
    assertThat(tail.errors()).containsExactly(2.75, 1);
  }

  @Test
  void deletedFileEmptiesTheLog() throws IOException {
    append(MetricLog.HEADER + "\n" + row(1, 10, 7));
    MetricLogTail tail = new MetricLogTail(csv());
    tail.poll();

    Files.delete(csv());
    MetricLogTail.Update update = tail.poll();

    assertThat(update.fileExists()).isFalse();
    assertThat(update.restarted()).isTrue();
    assertThat(tail.size()).isZero();
  }

  @Test
  void countsUnparseableLinesAndKeepsGoing() throws IOException {
    append(
        MetricLog.HEADER
            + "\n"
            + row(1, 10, 7)
            + "2,1.0,2\n" // torn by a crash, then the writer went on
            + "garbage\n"
            + "3,1,2,NaN\n"
            + "4,1,2,-1\n"
            + "\n"
            + row(5, 0, 1));
    MetricLogTail tail = new MetricLogTail(csv());

    MetricLogTail.Update update = tail.poll();

    assertThat(update.rowsAdded()).isEqualTo(2);
    assertThat(update.badLines()).isEqualTo(4);
    assertThat(tail.badLines()).isEqualTo(4);
    assertThat(tail.errors()).containsExactly(3, 1);
  }

  @Test
  void acceptsCrlfByteOrderMarkAndQuotedIds() throws IOException {
    append("\uFEFF" + MetricLog.HEADER + "\r\n" + "\"a,b\",1,3,2\r\n" + "x,4,4,0\r\n");
    MetricLogTail tail = new MetricLogTail(csv());

    MetricLogTail.Update update = tail.poll();

    assertThat(update.badLines()).isZero();
    assertThat(tail.errors()).containsExactly(2, 0);
  }

  @Test
  void readsAFileLargerThanOneChunk() throws IOException {
    StringBuilder text = new StringBuilder(MetricLog.HEADER).append('\n');
    int rows = 20_000; // about 600 KiB: several 64 KiB chunks, lines split across their borders
    for (int i = 0; i < rows; i++) {
      text.append(row(i, i, i + 0.5));
    }
    append(text.toString());
    MetricLogTail tail = new MetricLogTail(csv());

    MetricLogTail.Update update = tail.poll();

    assertThat(update.rowsAdded()).isEqualTo(rows);
    assertThat(update.badLines()).isZero();
    assertThat(tail.errors()).hasSize(rows).containsOnly(0.5);
  }
}
