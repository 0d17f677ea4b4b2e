// ModelShapes.swift — the parameter lists of real models, for `descent bench --shapes`.
//
// A model's optimizer step is one pass over a list of tensors of very different sizes; these are
// the exact lists (shapes in the order the libraries list parameters) of:
//   gpt2       GPT-2 small (Hugging Face GPT2Model; the LM head is tied to wte): 148 tensors,
//              124,439,808 parameters;
//   resnet50   torchvision resnet50(): 161 tensors, 25,557,032 parameters (conv weights without
//              bias, batch-norm weight and bias; running statistics are buffers, not parameters);
//   bert-base  Hugging Face BertModel (bert-base-uncased, with the pooler): 199 tensors,
//              109,482,240 parameters;
//   vit-b-16   torchvision vit_b_16(): 152 tensors, 86,567,656 parameters, 100 of them vectors of
//              768 to 3072 (LayerNorm weights and biases, attention and MLP biases): the
//              many-small-tensors case, where per-tensor overhead shows.
// A file gives any other list: one shape per line, dimensions joined by `x` (`768x2304`, `64`),
// blank lines and `#` comments ignored.
import DescentCore
import Foundation

public struct ModelShapes: Sendable {
    /// "gpt2", "resnet50", "bert-base", "vit-b-16", or the file's name.
    public var name: String
    public var shapes: [[Int]]

    public var parameterCount: Int { shapes.reduce(0) { $0 + $1.reduce(1, *) } }

    public static let builtInNames = ["gpt2", "resnet50", "bert-base", "vit-b-16"]

    /// A built-in list by name, or nil.
    public static func builtIn(_ name: String) -> ModelShapes? {
        switch name {
        case "gpt2": return ModelShapes(name: "gpt2", shapes: gpt2())
        case "resnet50": return ModelShapes(name: "resnet50", shapes: resnet50())
        case "bert-base": return ModelShapes(name: "bert-base", shapes: bertBase())
        case "vit-b-16": return ModelShapes(name: "vit-b-16", shapes: vitB16())
        default: return nil
        }
    }

    /// A built-in name or a file of shapes; errors name the file and line.
    public static func load(_ spec: String) throws -> ModelShapes {
        if let m = builtIn(spec) { return m }
        guard let data = FileManager.default.contents(atPath: spec) else {
            throw ShapesError(message: "--shapes: '\(spec)' is neither \(builtInNames.joined(separator: ", ")) nor a readable file")
        }
        return try parse(String(decoding: data, as: UTF8.self), name: spec)
    }

    /// One shape per line (`768x2304`); `#` starts a comment.
    public static func parse(_ text: String, name: String) throws -> ModelShapes {
        var shapes: [[Int]] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                .trimmingCharacters(in: .whitespaces) ?? ""
            if line.isEmpty { continue }
            let dims = line.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !dims.isEmpty, dims.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw ShapesError(message: "\(name):\(n + 1): '\(line)' is not a shape (positive dimensions joined by x, e.g. 768x2304)")
            }
            shapes.append(dims.map { $0! })
        }
        guard !shapes.isEmpty else { throw ShapesError(message: "\(name): no shapes (one per line, e.g. 768x2304)") }
        return ModelShapes(name: URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent, shapes: shapes)
    }

    /// GPT-2 small: wte, wpe, 12 blocks (ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj;
    /// Conv1D weights are in×out), ln_f.
    package static func gpt2() -> [[Int]] {
        let d = 768
        var s: [[Int]] = [[50257, d], [1024, d]]
        for _ in 0..<12 {
            s += [[d], [d], [d, 3 * d], [3 * d], [d, d], [d], [d], [d], [d, 4 * d], [4 * d], [4 * d, d], [d]]
        }
        return s + [[d], [d]]
    }

    /// ResNet-50: conv1, bn1, four stages of bottlenecks (3, 4, 6, 3 blocks; the first block of
    /// each stage has a downsample conv + bn), fc.
    package static func resnet50() -> [[Int]] {
        var s: [[Int]] = [[64, 3, 7, 7], [64], [64]]
        var inplanes = 64
        for (width, blocks) in [(64, 3), (128, 4), (256, 6), (512, 3)] {
            for b in 0..<blocks {
                s += [[width, inplanes, 1, 1], [width], [width],
                      [width, width, 3, 3], [width], [width],
                      [4 * width, width, 1, 1], [4 * width], [4 * width]]
                if b == 0 { s += [[4 * width, inplanes, 1, 1], [4 * width], [4 * width]] }
                inplanes = 4 * width
            }
        }
        return s + [[1000, 2048], [1000]]
    }

    /// BERT-base: embeddings (word, position, token type, LayerNorm), 12 layers (query, key,
    /// value, attention output dense + LayerNorm, intermediate, output dense + LayerNorm;
    /// Linear weights are out×in), pooler.
    package static func bertBase() -> [[Int]] {
        let d = 768
        var s: [[Int]] = [[30522, d], [512, d], [2, d], [d], [d]]
        for _ in 0..<12 {
            s += [[d, d], [d], [d, d], [d], [d, d], [d], [d, d], [d], [d], [d], [4 * d, d], [4 * d], [d, 4 * d], [d], [d], [d]]
        }
        return s + [[d, d], [d]]
    }
}

extension ModelShapes {
    /// ViT-B/16 as torchvision's vit_b_16() lists its parameters: class_token, conv_proj (16×16
    /// patches of 3 channels to 768), encoder.pos_embedding (197 positions), 12 encoder layers
    /// (ln_1, self_attention.in_proj_weight/bias — q, k, v stacked — out_proj, ln_2, mlp.0 and
    /// mlp.3 Linear, out×in), encoder.ln, heads.head (1000 classes).
    package static func vitB16() -> [[Int]] {
        let d = 768
        var s: [[Int]] = [[1, 1, d], [d, 3, 16, 16], [d], [1, 197, d]]
        for _ in 0..<12 {
            s += [[d], [d], [3 * d, d], [3 * d], [d, d], [d], [d], [d], [4 * d, d], [4 * d], [d, 4 * d], [d]]
        }
        return s + [[d], [d], [1000, d], [1000]]
    }
}

public struct ShapesError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
