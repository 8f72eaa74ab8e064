// Zips built byte by byte, for what no zip tool will write: entries sharing one compressed stream (a zip bomb).
import { crc32, deflateRawSync } from 'node:zlib';

function localHeader(name: string, crc: number, packed: number, size: number): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(8, 8);
  h.writeUInt16LE(0x21, 12);
  h.writeUInt32LE(crc, 14);
  h.writeUInt32LE(packed, 18);
  h.writeUInt32LE(size, 22);
  h.writeUInt16LE(name.length, 26);
  return Buffer.concat([h, Buffer.from(name)]);
}

function centralHeader(name: string, crc: number, packed: number, size: number, offset: number): Buffer {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(20, 6);
  h.writeUInt16LE(8, 10);
  h.writeUInt16LE(0x21, 14);
  h.writeUInt32LE(crc, 16);
  h.writeUInt32LE(packed, 20);
  h.writeUInt32LE(size, 24);
  h.writeUInt16LE(name.length, 28);
  h.writeUInt32LE(offset, 42);
  return Buffer.concat([h, Buffer.from(name)]);
}

/**
 * `count` entries of `size` zero bytes each, deflated. With `overlap`, the data is stored once and every
 * central-directory entry points at it (the overlapping zip bomb); without, each entry has its own copy.
 */
export function zerosZip(size: number, count: number, overlap: boolean): Buffer {
  const data = Buffer.alloc(size);
  const packed = deflateRawSync(data, { level: 9 });
  const crc = crc32(data);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const name = `zeros${i}.bin`;
    if (!overlap || i === 0) {
      const local = localHeader(name, crc, packed.length, size);
      parts.push(local, packed);
      central.push(centralHeader(name, crc, packed.length, size, offset));
      offset += local.length + packed.length;
    } else {
      central.push(centralHeader(name, crc, packed.length, size, 0));
    }
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}
