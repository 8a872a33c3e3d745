"""Writes one gRPC-framed embedding.v1.EmbedRequest holding one image (h2load's request body): the 5-byte gRPC
prefix (uncompressed, big-endian length), then EmbedRequest{images: [ImageInput{image: bytes}]} in protobuf
wire format, encoded by hand so that no protobuf package is needed."""
import struct
import sys


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def length_delimited(field: int, payload: bytes) -> bytes:
    return varint(field << 3 | 2) + varint(len(payload)) + payload


image = open(sys.argv[1], "rb").read()
request = length_delimited(1, length_delimited(1, image))  # EmbedRequest.images[0].image
sys.stdout.buffer.write(b"\x00" + struct.pack(">I", len(request)) + request)
