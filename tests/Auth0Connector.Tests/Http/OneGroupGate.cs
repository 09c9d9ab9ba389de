using Auth0Connector.Http;

namespace Auth0Connector.Tests.Http;

/// <summary>
/// A <see cref="RateGate"/> used by one endpoint group (the single-bucket tests): answers are given back in the
/// order their requests were admitted.
/// </summary>
internal sealed class OneGroupGate(RateGate gate, EndpointGroup group = EndpointGroup.Other)
{
    private readonly Queue<RateTicket> _admitted = new();

    public RateGate Gate => gate;

    public async ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        var ticket = await gate.AcquireAsync(group, cancellationToken);
        lock (_admitted)
        {
            _admitted.Enqueue(ticket);
        }
    }

    public void Completed(HttpResponseMessage? response)
    {
        RateTicket ticket;
        lock (_admitted)
        {
            ticket = _admitted.Dequeue();
        }

        gate.Completed(ticket, response);
    }
}
