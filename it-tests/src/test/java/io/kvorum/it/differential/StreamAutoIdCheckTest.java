package io.kvorum.it.differential;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.fixture.RespReader;
import io.kvorum.it.fixture.RespReply;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What counts as an ID from the clock. */
class StreamAutoIdCheckTest {

  private static RespReply bulk(String text) throws IOException {
    String wire = "$" + text.length() + "\r\n" + text + "\r\n";
    return new RespReader(new ByteArrayInputStream(wire.getBytes(StandardCharsets.US_ASCII))).read();
  }

  @Test
  void onlyIdsNearTheClockCount() throws IOException {
    long now = 1_700_000_000_000L;
    assertThat(StreamAutoIdCheck.clockMillis(bulk(now + "-0"), now)).isEqualTo(now);
    assertThat(StreamAutoIdCheck.clockMillis(bulk((now - 3000) + "-2"), now)).isEqualTo(now - 3000);
    assertThat(StreamAutoIdCheck.clockMillis(bulk((now + 60_000) + "-0"), now)).isNull();
    assertThat(StreamAutoIdCheck.clockMillis(bulk("5-0"), now)).as("an explicit-looking ID").isNull();
    assertThat(StreamAutoIdCheck.clockMillis(bulk("9000000000000-1"), now)).isNull();
    assertThat(StreamAutoIdCheck.clockMillis(bulk(now + ""), now)).isNull();
    assertThat(StreamAutoIdCheck.clockMillis(new RespReader(new ByteArrayInputStream(
        "-ERR x\r\n".getBytes(StandardCharsets.US_ASCII))).read(), now)).isNull();
  }
}
