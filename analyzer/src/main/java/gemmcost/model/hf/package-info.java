/** HuggingFace {@code config.json} files read into the architecture gemmcost costs, refusing what it does not model. */
package gemmcost.model.hf;
