"""frame_spec: the one definition of every byte layout on the Stridelab link."""

from frame_spec.envelope import FrameError, Message, StreamDecoder, crc16, decode, encode
from frame_spec.messages import PAYLOADS, PROTOCOL_VERSION, MsgType

__all__ = ["FrameError", "Message", "MsgType", "PAYLOADS", "PROTOCOL_VERSION", "StreamDecoder", "crc16", "decode", "encode"]
