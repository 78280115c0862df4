import * as tf from '@tensorflow/tfjs';

/** One weight of a {@link ParameterBank}: its name (unique in the bank), shape and initialiser. */
export interface ParameterSpec {
  name: string;
  shape: number[];
  initializer: ReturnType<typeof tf.initializers.zeros>;
}

/**
 * A layer that only owns weights: the transformer's parameters are used by hand-written tensor code
 * (attention, layer norm, heads) rather than by layers, yet must live in a layers model so that the
 * registry's checkpoints, `--weights` and parameter counts see them. Applied, it is the identity.
 * Weight names are `<layer name>/<spec name>`.
 */
class ParameterBank extends tf.layers.Layer {
  static className = 'DetrParameterBank';
  readonly variables = new Map<string, tf.LayerVariable>();

  constructor(private readonly specs: ParameterSpec[], name: string) {
    super({ name, trainable: true });
  }

  override build(): void {
    for (const s of this.specs) this.variables.set(s.name, this.addWeight(s.name, s.shape, 'float32', s.initializer));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    return inputs;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }
}

/** A layers model holding parameters, and their current values by name. */
export interface Parameters {
  model: tf.LayersModel;
  /** The variable of weight `name` (a {@link ParameterSpec} name). */
  get(name: string): tf.Variable;
}

/** Builds a layers model named `name` that owns the weights `specs` (see {@link ParameterBank}). */
export function buildParameters(specs: ParameterSpec[], name: string): Parameters {
  const bank = new ParameterBank(specs, `${name}_bank`);
  const input = tf.input({ shape: [1], name: `${name}_input` });
  const model = tf.model({ inputs: input, outputs: bank.apply(input) as tf.SymbolicTensor, name });
  return {
    model,
    get(n: string): tf.Variable {
      const v = bank.variables.get(n);
      if (!v) throw new Error(`no parameter named ${n}`);
      return v.read() as tf.Variable;
    },
  };
}
