"""Seeded inputs for printf_vectors.c: INCRBYFLOAT operand pairs and doubles for %.17g."""
import random
import struct

r = random.Random(20240601)


def dec():
    r.random()  # an unused draw, kept so the committed vectors regenerate identically
    sign = r.choice(['', '', '-', '+'])
    ip = ''.join(r.choice('0123456789') for _ in range(r.randint(0, 20)))
    fp = ''.join(r.choice('0123456789') for _ in range(r.randint(0, 25)))
    s = ip
    if fp or not ip:
        if r.random() < 0.9 or not ip:
            s += '.' + fp
    if s in ('', '.'):
        s = r.choice(['0', '1', '.5', '7.'])
    if r.random() < 0.4:
        e = r.choice([r.randint(-30, 30), r.randint(-320, 320), r.randint(4900, 4960),
                      -r.randint(4900, 4975), r.randint(-5, 5)])
        s += r.choice('eE') + (r.choice(['', '+']) if e >= 0 else '') + str(e)
    return sign + s


def hexf():
    sign = r.choice(['', '-'])
    m = ''.join(r.choice('0123456789abcdefABCDEF') for _ in range(r.randint(1, 20)))
    s = '0' + r.choice('xX') + m
    if r.random() < 0.5:
        s += '.' + ''.join(r.choice('0123456789abcdef') for _ in range(r.randint(0, 6)))
    if r.random() < 0.7:
        s += r.choice('pP') + str(r.choice([r.randint(-80, 80), r.randint(16300, 16400),
                                             -r.randint(16370, 16460)]))
    return sign + s


special = ['inf', '-inf', '+INF', 'Infinity', '-infinity', 'infinit', 'nan', 'NaN', '-nan',
           'nan(123)', ' 1', '1 ', '', '.', '1e', '0x', '+.5', '5.', '1e+', '--1', '1..2',
           '1e5.5', '1_000', '0x1p', '0x.8', '0x1.p1', 'abc', '12abc', '0', '-0', '+0', '0.0',
           '-0.0e10', '18446744073709551617', '18446744073709551619', '18446744073709551615',
           '9223372036854775809', '36893488147419103231', '1.18973149535723176502e+4932',
           '1.18973149535723176509e+4932', '1.2e4932', '3.6451995318824746025e-4951', '1.8e-4951',
           '1.82e-4951', '3.3621031431120935063e-4932', '1e-4940', '0e999999999999',
           '1e-99999999999', '1e99999999999', '0.1', '0.2', '0.3', '10.5', '5.0e3', '1e17',
           '1e18', '1e19', '1e20', '123456789012345678901234567890', '0x1p-16445', '0x1p-16446',
           '0x1.8p-16446', '0x1p16383', '0x1p16384', '0x1.fffffffffffffffep16383',
           '0x1.ffffffffffffffffp16383', '0x1p-16382', '0x1.0000000000000001p0',
           '0x1.00000000000000008p0', '0x1.00000000000000018p0']
lines = []
for a in special:
    for b in ['0', '1', '-1', '0.1', a]:
        lines.append((a, b))
for _ in range(2500):
    k = r.random()
    a = dec() if k < 0.75 else hexf() if k < 0.9 else r.choice(special)
    b = dec() if r.random() < 0.8 else hexf() if r.random() < 0.5 else r.choice(special)
    lines.append((a, b))
with open('in.txt', 'w') as f:
    for a, b in lines:
        f.write(a + '|' + b + '\n')
with open('gin.txt', 'w') as f:
    vals = [0.1, 0.2, 0.3, 1.0, 1e17, 1e16, 123456789012345678, 1e-5, 1e-4, 0.0001, 0.00001234,
            1e21, 1e22, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -0.0, 0.0,
            float('inf'), -float('inf'), 100.0, 1.5, 2.5, 1 / 3, 2 / 3, 9.999999999999999e22,
            99999999999999999.0, 12345678901234567.0, 0.5, 1e15, 1e-7, 3.14159]
    for v in vals:
        f.write(struct.pack('>d', v).hex() + '\n')
    for _ in range(3000):
        k = r.random()
        if k < 0.4:
            v = struct.unpack('>d', struct.pack('>Q', r.getrandbits(64)))[0]
            if v != v:
                continue
        elif k < 0.7:
            v = r.uniform(-1e6, 1e6)
        elif k < 0.85:
            v = float(r.randint(-10**18, 10**18))
        else:
            v = r.randint(-100000, 100000) / r.choice([10, 100, 1000, 7, 3])
        f.write(struct.pack('>d', v).hex() + '\n')
