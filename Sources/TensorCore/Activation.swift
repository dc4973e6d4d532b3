/// The element-wise activation functions, by name (their loops and derivatives are in `Kernels`).
/// A plain description, so models and configurations name an activation without the kernels.
public enum Activation: String, Sendable, CaseIterable, Codable {
    case identity, tanh, sigmoid, relu, selu, swish

    // swish(x) = x·σ(x) (Ramachandran et al. 2017; RecVAE's encoder, Shenbin et al. 2020).

    /// SELU's λ and α (Klambauer et al., 2017, eq. 2 with the fixed-point constants).
    public static let seluLambda: Float = 1.050_700_987_355_480_5
    public static let seluAlpha: Float = 1.673_263_242_354_377_3
}
