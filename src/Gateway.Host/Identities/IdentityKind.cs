namespace Gateway.Host.Identities;

/// <summary>What an identity may do on the control plane.</summary>
internal enum IdentityKind
{
    /// <summary>Requests grants for itself and connects with them.</summary>
    Agent,

    /// <summary>Approves, denies and revokes grants of the groups it belongs to.</summary>
    Reviewer,

    /// <summary>Manages identities; can also deny and revoke any grant, but never approve one it is not a reviewer for.</summary>
    Admin,
}
