import NIOCore

/// One control-socket connection: newline-terminated JSON requests in, one JSON line out
/// per request, in order.
final class ControlConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Longest request accepted.
    static let maximumRequest = 64 * 1024

    private let responder: ControlResponder
    private var pending: [UInt8] = []
    /// Responses still being prepared; a new request waits for the previous answer.
    private var busy = false

    init(responder: ControlResponder) {
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        pending.append(contentsOf: buffer.readableBytesView)
        guard pending.count <= Self.maximumRequest || pending.contains(0x0A) else {
            reply(ControlResponder.failure("request longer than \(Self.maximumRequest) bytes"), context: context)
            context.close(promise: nil)
            return
        }
        processNext(context: context)
    }

    private func processNext(context: ChannelHandlerContext) {
        guard !busy, let newline = pending.firstIndex(of: 0x0A) else { return }
        let line = Array(pending[..<newline])
        pending.removeSubrange(...newline)
        busy = true
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        responder.respond(to: line, on: context.eventLoop).whenComplete { result in
            let (handler, context) = bound.value
            switch result {
            case .success(let response):
                handler.reply(response, context: context)
            case .failure(let error):
                handler.reply(ControlResponder.failure("\(error)"), context: context)
            }
            handler.busy = false
            handler.processNext(context: context)
        }
    }

    private func reply(_ value: JSONValue, context: ChannelHandlerContext) {
        var bytes: [UInt8] = []
        value.write(into: &bytes)
        bytes.append(0x0A)
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
