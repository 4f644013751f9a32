package io.kvorum.storage.bitmap;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.testing.ReplyText;
import io.kvorum.storage.testing.StoreFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bitmap commands through a real store: replies, errors, encodings, TTLs, and bytes. */
class BitmapCommandsTest {
  static final String WRONGTYPE =
      "-WRONGTYPE Operation against a key holding the wrong kind of value";

  @TempDir Path tmp;
  StoreFixture fx;

  @BeforeEach
  void open() {
    fx = new StoreFixture(tmp.resolve("db"));
  }

  @AfterEach
  void close() {
    fx.close();
  }

  String r(String command) {
    return ReplyText.of(fx.run(command));
  }

  byte[] value(String key) {
    return ((Reply.Bulk) fx.run("get " + key)).value();
  }

  @Test
  void setbitGrowsTheStringAndAnswersThePreviousBit() {
    assertThat(r("setbit k 7 1")).isEqualTo(":0");
    assertThat(value("k")).containsExactly(0x01);
    assertThat(r("setbit k 7 1")).isEqualTo(":1");
    assertThat(r("setbit k 0 1")).isEqualTo(":0");
    assertThat(value("k")).containsExactly(0x81);
    assertThat(r("setbit k 17 1")).isEqualTo(":0");
    assertThat(value("k")).containsExactly(0x81, 0x00, 0x40);
    assertThat(r("getbit k 17")).isEqualTo(":1");
    assertThat(r("getbit k 16")).isEqualTo(":0");
    assertThat(r("getbit k 1000000")).isEqualTo(":0");
    assertThat(r("getbit missing 3")).isEqualTo(":0");
    assertThat(r("setbit k 0 0")).isEqualTo(":1");
    assertThat(r("object encoding k")).isEqualTo("raw");
  }

  @Test
  void setbitWorksOnIntegerStringsAndKeepsTheTtl() {
    fx.run("set n 5");
    assertThat(r("object encoding n")).isEqualTo("int");
    fx.run("expire n 100");
    assertThat(r("setbit n 6 1")).isEqualTo(":0"); // '5' is 0x35: bit 6 is 0
    assertThat(r("get n")).isEqualTo("7");
    assertThat(r("object encoding n")).isEqualTo("raw");
    assertThat(r("ttl n")).isEqualTo(":100");
    assertThat(r("getbit n 2")).isEqualTo(":1");
  }

  @Test
  void offsetsAndBitsAreValidatedLikeRedis() {
    String badOffset = "-ERR bit offset is not an integer or out of range";
    String badBit = "-ERR bit is not an integer or out of range";
    assertThat(r("setbit k -1 1")).isEqualTo(badOffset);
    assertThat(r("setbit k x 1")).isEqualTo(badOffset);
    assertThat(r("setbit k 4294967296 1")).as("512 MB is past proto-max-bulk-len")
        .isEqualTo(badOffset);
    assertThat(r("getbit k 4294967296")).isEqualTo(badOffset);
    assertThat(r("setbit k 1 2")).isEqualTo(badBit);
    assertThat(r("setbit k 1 -1")).isEqualTo(badBit);
    assertThat(r("setbit k 1 on")).isEqualTo(badBit);
    assertThat(r("exists k")).isEqualTo(":0");
    fx.run("hset h f v");
    assertThat(r("setbit h 1 1")).isEqualTo(WRONGTYPE);
    assertThat(r("getbit h 1")).isEqualTo(WRONGTYPE);
    assertThat(r("getbit h x")).as("the offset is checked before the key").isEqualTo(badOffset);
  }

  @Test
  void bitcountWithByteAndBitRanges() {
    fx.run("set k foobar");
    assertThat(r("bitcount k")).isEqualTo(":26");
    assertThat(r("bitcount k 0 0")).isEqualTo(":4");
    assertThat(r("bitcount k 1 1")).isEqualTo(":6");
    assertThat(r("bitcount k 1 1 BYTE")).isEqualTo(":6");
    assertThat(r("bitcount k 5 30 BIT")).isEqualTo(":17");
    assertThat(r("bitcount k -2 -1")).isEqualTo(":7");
    assertThat(r("bitcount k -1 -2")).isEqualTo(":0");
    assertThat(r("bitcount k -1 -2 nonsense")).as("Redis 7.0 answers before reading the unit")
        .isEqualTo(":0");
    assertThat(r("bitcount k 0 1 bits")).isEqualTo("-ERR syntax error");
    assertThat(r("bitcount k 0")).isEqualTo("-ERR syntax error");
    assertThat(r("bitcount k a 1")).isEqualTo("-ERR value is not an integer or out of range");
    assertThat(r("bitcount missing a")).as("7.0 looks the key up first").isEqualTo(":0");
    fx.run("hset h f v");
    assertThat(r("bitcount h")).isEqualTo(WRONGTYPE);
  }

  @Test
  void bitposFindsSetAndClearBits() {
    fx.run("setbit k 0 1");
    fx.run("setbit k 1 1");
    fx.run("setbit k 2 1");
    fx.run("setbit k 3 1");
    fx.run("setbit k 4 1");
    fx.run("setbit k 5 1");
    fx.run("setbit k 6 1");
    fx.run("setbit k 7 1");
    fx.run("setbit k 8 1");
    fx.run("setbit k 15 0"); // "\xff\x80"
    assertThat(r("bitpos k 0")).isEqualTo(":9");
    assertThat(r("bitpos k 1")).isEqualTo(":0");
    assertThat(r("bitpos k 1 1")).isEqualTo(":8");
    fx.run("bitfield ones set u8 0 255");
    assertThat(r("bitpos ones 0")).as("the string is taken as zero padded").isEqualTo(":8");
    assertThat(r("bitpos ones 0 0")).isEqualTo(":8");
    assertThat(r("bitpos ones 0 0 0")).as("but not past an explicit end").isEqualTo(":-1");
    assertThat(r("bitpos k 1 7 15 BIT")).isEqualTo(":7");
    assertThat(r("bitpos k 0 3 8 bit")).isEqualTo(":-1");
    assertThat(r("bitpos k 0 3 9 bit")).isEqualTo(":9");
    assertThat(r("bitpos k 1 2 1")).isEqualTo(":-1");
    assertThat(r("bitpos missing 1")).isEqualTo(":-1");
    assertThat(r("bitpos missing 0")).isEqualTo(":0");
    assertThat(r("bitpos missing 0 x")).as("7.0 answers a missing key before the range")
        .isEqualTo(":0");
    assertThat(r("bitpos k 2")).isEqualTo("-ERR The bit argument must be 1 or 0.");
    assertThat(r("bitpos k 1 0 1 bits")).isEqualTo("-ERR syntax error");
    assertThat(r("bitpos k 1 0 1 bit x")).isEqualTo("-ERR syntax error");
  }

  @Test
  void bitopCombinesAndReplacesTheDestination() {
    fx.run("set a \u0001\u0002");
    fx.run("set b \u0003");
    fx.run("set dest x");
    fx.run("expire dest 100");
    assertThat(r("bitop and dest a b")).isEqualTo(":2");
    assertThat(value("dest")).containsExactly(0x01, 0x00);
    assertThat(r("ttl dest")).as("BITOP replaces the destination like SET").isEqualTo(":-1");
    assertThat(r("object encoding dest")).isEqualTo("raw");
    assertThat(r("bitop or dest a b missing")).isEqualTo(":2");
    assertThat(value("dest")).containsExactly(0x03, 0x02);
    assertThat(r("bitop xor dest a b")).isEqualTo(":2");
    assertThat(value("dest")).containsExactly(0x02, 0x02);
    assertThat(r("bitop not dest b")).isEqualTo(":1");
    assertThat(value("dest")).containsExactly(0xFC);
    assertThat(r("bitop not dest a b"))
        .isEqualTo("-ERR BITOP NOT must be called with a single source key.");
    assertThat(r("bitop nand dest a b")).isEqualTo("-ERR syntax error");
    assertThat(r("bitop and dest missing other")).as("an empty result deletes the destination")
        .isEqualTo(":0");
    assertThat(r("exists dest")).isEqualTo(":0");
    fx.run("hset h f v");
    assertThat(r("bitop and dest a h")).isEqualTo(WRONGTYPE);
    assertThat(r("bitop and h a")).as("a destination of another type is replaced")
        .isEqualTo(":2");
    assertThat(r("type h")).isEqualTo("+string");
  }

  @Test
  void bitfieldGetSetIncrbyAndOverflow() {
    assertThat(r("bitfield mykey incrby i5 100 1 get u4 0")).isEqualTo("[:1, :0]");
    assertThat(r("bitfield bf set i8 0 -100 get u8 0 overflow sat incrby u2 102 5"
        + " overflow fail incrby u2 102 1")).isEqualTo("[:0, :156, :3, (nil)]");
    assertThat(value("bf")).containsExactly(0x9C, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x03);
    assertThat(r("bitfield bf overflow wrap incrby u8 0 100")).isEqualTo("[:0]");
    assertThat(r("bitfield bf overflow sat incrby i8 0 -200")).isEqualTo("[:-128]");
    assertThat(r("bitfield bf set u8 #1 255 get u8 8")).isEqualTo("[:0, :255]");
    assertThat(r("bitfield empty")).isEqualTo("[]");
    assertThat(r("bitfield missing get u8 0")).isEqualTo("[:0]");
    assertThat(r("exists missing")).isEqualTo(":0");
    assertThat(r("bitfield failed overflow fail incrby u2 0 5")).isEqualTo("[(nil)]");
    assertThat(value("failed")).as("the key is created before the op fails")
        .containsExactly(0x00);
  }

  @Test
  void bitfieldArgumentErrors() {
    String badType = "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not"
        + " supported but i64 is.";
    assertThat(r("bitfield k get u64 0")).isEqualTo(badType);
    assertThat(r("bitfield k get i65 0")).isEqualTo(badType);
    assertThat(r("bitfield k get x8 0")).isEqualTo(badType);
    assertThat(r("bitfield k get u0 0")).isEqualTo(badType);
    assertThat(r("bitfield k get u8 -1"))
        .isEqualTo("-ERR bit offset is not an integer or out of range");
    assertThat(r("bitfield k get u8 #x"))
        .isEqualTo("-ERR bit offset is not an integer or out of range");
    assertThat(r("bitfield k set u8 0 x"))
        .isEqualTo("-ERR value is not an integer or out of range");
    assertThat(r("bitfield k overflow maybe")).isEqualTo("-ERR Invalid OVERFLOW type specified");
    assertThat(r("bitfield k get u8")).isEqualTo("-ERR syntax error");
    assertThat(r("bitfield k nope")).isEqualTo("-ERR syntax error");
    assertThat(r("bitfield_ro k get u8 0 set u8 0 1"))
        .isEqualTo("-ERR BITFIELD_RO only supports the GET subcommand");
    assertThat(r("bitfield_ro k get u8 0")).isEqualTo("[:0]");
    assertThat(r("exists k")).isEqualTo(":0");
    fx.run("hset h f v");
    assertThat(r("bitfield h get u8 0")).isEqualTo(WRONGTYPE);
    assertThat(r("bitfield h set u8 0 1")).isEqualTo(WRONGTYPE);
    assertThat(r("bitfield_ro h get u8 0")).isEqualTo(WRONGTYPE);
  }

  @Test
  void fieldOverflowChecksMatchRedis() {
    assertThat(FieldOverflow.WRAP.checkUnsigned(255, 1, 8))
        .isEqualTo(new FieldOverflow.Check(1, 0));
    assertThat(FieldOverflow.SAT.checkUnsigned(0, -1, 8))
        .isEqualTo(new FieldOverflow.Check(-1, 0));
    assertThat(FieldOverflow.SAT.checkUnsigned(-1, 0, 8)).as("a negative SET saturates high")
        .isEqualTo(new FieldOverflow.Check(1, 255));
    assertThat(FieldOverflow.WRAP.checkSigned(Long.MAX_VALUE, 1, 64))
        .isEqualTo(new FieldOverflow.Check(1, Long.MIN_VALUE));
    assertThat(FieldOverflow.SAT.checkSigned(Long.MIN_VALUE, -1, 64))
        .isEqualTo(new FieldOverflow.Check(-1, Long.MIN_VALUE));
    assertThat(FieldOverflow.WRAP.checkSigned(127, 1, 8))
        .isEqualTo(new FieldOverflow.Check(1, -128));
    assertThat(FieldOverflow.FAIL.checkSigned(-128, 0, 8)).isEqualTo(FieldOverflow.Check.FITS);
  }
}
